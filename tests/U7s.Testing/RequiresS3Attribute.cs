namespace U7s.Testing;

/// <summary>
/// Marks a test class (typically a storage contract's S3 subclass) whose <see cref="ContractFactAttribute"/>
/// facts need the real S3 server: they are skipped, with the reason, when <see cref="S3TestStore.SkipReason"/> says so.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresS3Attribute : Attribute;
