namespace U7s.Cli.Tests.Release;

/// <summary>The release tarball for amd64 in a root of bullseye's amd64 runtime libraries.</summary>
public sealed class BullseyeAmd64Fixture() : BullseyeFixture("amd64");
