using Xunit;
using Xunit.Sdk;

namespace U7s.Testing;

/// <summary>
/// A fact of a shared contract class. It runs for every backend subclass, and is skipped for a subclass
/// marked <see cref="RequiresS3Attribute"/> when no S3 server is configured (never under CI).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("U7s.Testing.ContractFactDiscoverer", "U7s.Testing")]
public sealed class ContractFactAttribute : FactAttribute;
