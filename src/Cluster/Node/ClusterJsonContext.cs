using System.Text.Json.Serialization;

namespace U7s.Cluster.Node;

[JsonSerializable(typeof(List<KeyListingEntry>))]
[JsonSerializable(typeof(Kubeadm.JoinMaterial))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
