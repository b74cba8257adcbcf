using U7s.Oci;

namespace U7s.Registry.Status;

/// <summary>
/// What the status page and <c>u7s status</c> show: every tagged image (after the filters) and the
/// recent audit events. Nothing in it is more than a pull could read, except who changed what: user
/// names and times, never addresses, passwords or keys.
/// </summary>
/// <param name="Enforcement">The enforcement mode: <c>off</c>, <c>warn</c> or <c>enforce</c>.</param>
/// <param name="HasPolicy">Whether a node policy judges the images; without one every verdict is "no policy".</param>
/// <param name="Summary">Policy file, trusted keys, version, start time and disk; null from a registry too old to send it.</param>
public sealed record RegistryStatus(
    DateTimeOffset GeneratedAt,
    string Enforcement,
    bool HasPolicy,
    StatusFilter Filter,
    IReadOnlyList<ImageStatus> Images,
    IReadOnlyList<AuditEvent> RecentEvents,
    RegistrySummary? Summary = null);
