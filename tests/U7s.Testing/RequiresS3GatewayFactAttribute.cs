using Xunit;

namespace U7s.Testing;

/// <summary>
/// A fact that starts its own gateway of the S3 test server (<see cref="S3Gateway"/>); skipped with the reason when
/// there is no server started by <c>tools/s3-server.sh</c>. Under CI a missing server is a failure, not a skip.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresS3GatewayFactAttribute : FactAttribute
{
    public RequiresS3GatewayFactAttribute()
    {
        Skip = S3Gateway.SkipReason;
    }
}
