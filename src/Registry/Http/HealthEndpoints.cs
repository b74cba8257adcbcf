using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using U7s.Registry.Health;

namespace U7s.Registry.Http;

/// <summary>
/// The checks a load balancer or supervisor asks, open to anyone (they tell nothing about the content):
/// <list type="bullet">
/// <item><c>/livez</c>: liveness. 200 <c>ok</c> whenever the process serves HTTP; a failure means restart it.</item>
/// <item><c>/readyz</c>: readiness. 200 <c>ok</c> while the store answers, 503 <c>unavailable</c> while it does not
/// (<see cref="StoreReadiness"/>): send this replica no requests, but do not restart it. <c>/healthz</c>, the name
/// older configurations probe, is the same check.</item>
/// </list>
/// </summary>
internal static class HealthEndpoints
{
    private static readonly string[] Paths = ["/livez", "/readyz", "/healthz"];

    public static bool IsHealthPath(PathString path) => Paths.Any(p => path.StartsWithSegments(p));

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/livez", () => TypedResults.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
        app.MapGet("/healthz", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(StoreReadiness readiness, HttpContext context) =>
        await readiness.CheckAsync(context.RequestAborted) is null
            ? TypedResults.Text("ok\n")
            : TypedResults.Text("unavailable: the store does not answer\n", statusCode: StatusCodes.Status503ServiceUnavailable);
}
