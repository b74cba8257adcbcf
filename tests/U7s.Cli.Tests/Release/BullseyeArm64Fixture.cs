namespace U7s.Cli.Tests.Release;

/// <summary>The release tarball for arm64 in a root of bullseye's arm64 runtime libraries, run under qemu-user.</summary>
public sealed class BullseyeArm64Fixture() : BullseyeFixture("arm64");
