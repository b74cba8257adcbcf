namespace U7s.Cluster.Kubeadm;

/// <summary>How far <c>u7s kubeadm init|join</c> goes. Every mode runs the whole preflight first.</summary>
public enum KubeadmMode
{
    /// <summary>Write the config and run kubeadm on this node (then keep the join data and apply flannel).</summary>
    Run,

    /// <summary>Print the config (certificate key hidden) and the kubeadm command; write nothing.</summary>
    DryRun,

    /// <summary>Only the checks: report that the node is ready, write nothing.</summary>
    PreflightOnly,

    /// <summary>
    /// The root is a staging tree: write the config (and flannel manifest) into it and print the
    /// command to run on the node. The host's kubeadm acts on the host, so it is never run.
    /// </summary>
    Stage,
}
