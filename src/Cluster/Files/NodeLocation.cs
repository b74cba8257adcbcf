using U7s.Native;

namespace U7s.Cluster.Files;

/// <summary>
/// Where <see cref="NodeTree"/> found a node path: the directory that holds its last name, open by descriptor,
/// and that name. Everything done with the name goes through <see cref="Directory"/>, so swapping a directory
/// on the way for a symlink after the walk changes nothing.
/// </summary>
internal sealed class NodeLocation(DirectoryHandle directory, string name, string nodePath) : IDisposable
{
    public DirectoryHandle Directory { get; } = directory;

    /// <summary>The last name; after a followed symlink, the name of what it pointed to.</summary>
    public string Name { get; } = name;

    /// <summary>The node path as the caller gave it (for messages).</summary>
    public string NodePath { get; } = nodePath;

    public void Dispose() => Directory.Dispose();
}
