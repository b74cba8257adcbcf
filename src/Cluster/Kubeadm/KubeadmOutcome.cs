namespace U7s.Cluster.Kubeadm;

/// <summary>Exit code and captured standard output of one kubeadm run.</summary>
public sealed record KubeadmOutcome(int ExitCode, string StandardOutput);
