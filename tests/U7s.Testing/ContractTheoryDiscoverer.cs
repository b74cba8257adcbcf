using Xunit.Abstractions;
using Xunit.Sdk;

namespace U7s.Testing;

/// <summary>
/// Discovers <see cref="ContractTheoryAttribute"/> theories per concrete class, as <see cref="ContractFactDiscoverer"/>
/// does facts: one skipped case stands for all data rows when the subclass needs S3 and none is configured.
/// </summary>
public sealed class ContractTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        if (testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresS3Attribute)).Any() && S3TestStore.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
        }

        return base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}
