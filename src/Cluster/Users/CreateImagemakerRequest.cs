namespace U7s.Cluster.Users;

/// <summary>
/// Input of <c>u7s create-imagemakeruser</c>: the users with their scopes, the e-mail of each key
/// (<paramref name="EmailOf"/> maps a user name to it) and the <c>file://</c> staging URL their
/// registries.d gets so <c>podman push --sign-by</c> writes into the store tree.
/// </summary>
public sealed record CreateImagemakerRequest(IReadOnlyList<ImagemakerSpec> Users, Func<string, string> EmailOf, string StagingUrl);
