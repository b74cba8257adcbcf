using System.Text.Json;
using System.Text.Json.Serialization;

namespace U7s.Cluster.Kubeadm;

[JsonSerializable(typeof(KubeadmImageData))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, ReadCommentHandling = JsonCommentHandling.Skip)]
internal sealed partial class KubeadmJsonContext : JsonSerializerContext;
