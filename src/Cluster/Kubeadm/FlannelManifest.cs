using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace U7s.Cluster.Kubeadm;

/// <summary>
/// The kube-flannel manifest applied after <c>kubeadm init</c> (SPEC §5.5 step 3), with the images of
/// the local registry and the cluster's pod network; checked to parse as YAML before use.
/// </summary>
public static class FlannelManifest
{
    public static string Render(FlannelImages images, string podSubnet)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var stream = typeof(FlannelManifest).Assembly.GetManifestResourceStream("U7s.Cluster.kube-flannel.yml")
            ?? throw new InvalidOperationException("the flannel manifest is missing from the assembly");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd()
            .Replace("@FLANNEL_IMAGE@", images.Flannel, StringComparison.Ordinal)
            .Replace("@FLANNEL_CNI_IMAGE@", images.CniPlugin, StringComparison.Ordinal)
            .Replace("@POD_SUBNET@", podSubnet, StringComparison.Ordinal);
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"flannel manifest does not parse: {e.Message}", e);
        }

        if (yaml.Documents.Any(d => d.RootNode is not YamlMappingNode m || !m.Children.ContainsKey(new YamlScalarNode("kind"))))
        {
            throw new InvalidDataException("flannel manifest: every document needs a kind");
        }

        return text;
    }
}
