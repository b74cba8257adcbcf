using U7s.Cluster.Kubeadm;

namespace U7s.Testing;

/// <summary>Stands in for kubeadm (cannot run here): records argv and the config file as it was when kubeadm ran.</summary>
public sealed class RecordingKubeadm(string stdout = "", int exitCode = 0) : IKubeadmRunner
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    public List<string> Configs { get; } = [];

    public Task<KubeadmOutcome> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Calls.Add(arguments.ToList());
        var config = arguments.ToList().IndexOf("--config");
        if (config >= 0)
        {
            Configs.Add(File.ReadAllText(arguments[config + 1]));
        }

        return Task.FromResult(new KubeadmOutcome(exitCode, stdout));
    }
}
