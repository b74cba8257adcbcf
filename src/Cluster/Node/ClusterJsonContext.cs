using System.Text.Json.Serialization;

namespace U7s.Cluster.Node;

[JsonSerializable(typeof(List<KeyListingEntry>))]
internal sealed partial class ClusterJsonContext : JsonSerializerContext;
