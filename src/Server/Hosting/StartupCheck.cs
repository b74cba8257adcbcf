namespace U7s.Server.Hosting;

/// <summary>One named step of <c>u7s serve</c>'s start (<see cref="ServeStartup"/>): it passes, or throws the one line that stops the start.</summary>
internal sealed record StartupCheck(string Name, Func<CancellationToken, Task> RunAsync);
