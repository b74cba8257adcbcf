using Xunit;
using Xunit.Sdk;

namespace U7s.Testing;

/// <summary>
/// A theory of a shared contract class: like <see cref="ContractFactAttribute"/>, skipped for a subclass
/// marked <see cref="RequiresS3Attribute"/> when no S3 server is configured (never under CI).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("U7s.Testing.ContractTheoryDiscoverer", "U7s.Testing")]
public sealed class ContractTheoryAttribute : TheoryAttribute;
