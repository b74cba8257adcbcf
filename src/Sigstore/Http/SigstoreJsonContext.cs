using System.Text.Json.Serialization;

namespace U7s.Sigstore.Http;

[JsonSerializable(typeof(List<ListingEntry>))]
internal sealed partial class SigstoreJsonContext : JsonSerializerContext;
