using Xunit.Abstractions;
using Xunit.Sdk;

namespace U7s.Testing;

/// <summary>
/// Discovers <see cref="ContractFactAttribute"/> facts per concrete class: the attribute sits on the
/// abstract contract, but whether S3 is needed is a property of the subclass the test runs in.
/// </summary>
public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        if (testMethod.TestClass.Class.GetCustomAttributes(typeof(RequiresS3Attribute)).Any() && S3TestStore.SkipReason is { } reason)
        {
            return new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
        }

        return base.CreateTestCase(discoveryOptions, testMethod, factAttribute);
    }
}
