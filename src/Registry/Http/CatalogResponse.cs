using System.Text.Json.Serialization;

namespace U7s.Registry.Http;

internal sealed record CatalogResponse([property: JsonPropertyName("repositories")] IReadOnlyList<string> Repositories);
