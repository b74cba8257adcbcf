namespace U7s.Testing;

/// <summary>
/// A class fixture over <see cref="DebianDockerRegistry"/> that starts on first use, so a test class
/// without the tool only skips.
/// </summary>
public sealed class DockerRegistry : IDisposable
{
    private readonly object _gate = new();
    private DebianDockerRegistry? _registry;
    private HttpClient? _http;

    public Uri BaseUri => new($"http://{HostPort}");

    public string HostPort
    {
        get
        {
            EnsureStarted();
            return _registry!.HostPort;
        }
    }

    /// <summary>A client shared by the tests of one registry (started on first use).</summary>
    public HttpClient Http
    {
        get
        {
            EnsureStarted();
            return _http!;
        }
    }

    public void EnsureStarted()
    {
        lock (_gate)
        {
            if (_registry is not null)
            {
                return;
            }

            // xunit class fixtures are synchronous; the start itself is the shared async one.
            _registry = DebianDockerRegistry.StartAsync().GetAwaiter().GetResult();
            _http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        }
    }

    public void Dispose()
    {
        _http?.Dispose();
        _registry?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
