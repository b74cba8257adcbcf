using System.Diagnostics.CodeAnalysis;

namespace U7s.Oci;

/// <summary>
/// An image reference <c>[host[:port]/]repository[:tag][@digest]</c> in the docker reference grammar.
/// The first path component is a host when it contains <c>.</c> or <c>:</c> or is <c>localhost</c>;
/// otherwise the reference has no host (containers/image would read it as Docker Hub).
/// </summary>
public sealed record Reference
{
    private Reference(string? host, RepositoryName repository, Tag? tag, Digest? digest)
    {
        Host = host;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary><c>registry.local</c> or <c>127.0.0.1:5000</c>; null when the reference names none.</summary>
    public string? Host { get; }

    public RepositoryName Repository { get; }

    public Tag? Tag { get; }

    public Digest? Digest { get; }

    /// <summary><c>host/repository</c> (or the bare repository without a host).</summary>
    public string Name => Host is null ? Repository.Value : $"{Host}/{Repository.Value}";

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out Reference? reference)
    {
        reference = null;
        if (string.IsNullOrEmpty(value) || value.Length > 1024)
        {
            return false;
        }

        var rest = value;
        Digest? digest = null;
        var at = rest.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            if (!Oci.Digest.TryParse(rest[(at + 1)..], out var d))
            {
                return false;
            }

            digest = d;
            rest = rest[..at];
        }

        Tag? tag = null;
        var lastSlash = rest.LastIndexOf('/');
        var colon = rest.LastIndexOf(':');
        if (colon > lastSlash)
        {
            if (!Oci.Tag.TryParse(rest[(colon + 1)..], out var t))
            {
                return false;
            }

            tag = t;
            rest = rest[..colon];
        }

        string? host = null;
        var firstSlash = rest.IndexOf('/', StringComparison.Ordinal);
        if (firstSlash > 0)
        {
            var first = rest[..firstSlash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                if (!IsValidHost(first))
                {
                    return false;
                }

                host = first;
                rest = rest[(firstSlash + 1)..];
            }
        }

        if (!RepositoryName.TryParse(rest, out var repository))
        {
            return false;
        }

        reference = new Reference(host, repository, tag, digest);
        return true;
    }

    public static Reference Parse(string value) =>
        TryParse(value, out var reference) ? reference : throw new FormatException($"invalid image reference '{value}'");

    /// <summary>The same name with another tag and no digest.</summary>
    public Reference WithTag(Tag tag) => new(Host, Repository, tag, null);

    /// <summary>The same name pinned to a digest, tag dropped.</summary>
    public Reference WithDigest(Digest digest) => new(Host, Repository, null, digest);

    public override string ToString()
    {
        var s = Name;
        if (Tag is { } t)
        {
            s += ":" + t.Value;
        }

        if (Digest is { } d)
        {
            s += "@" + d;
        }

        return s;
    }

    private static bool IsValidHost(string host)
    {
        var colon = host.LastIndexOf(':');
        var name = colon >= 0 ? host[..colon] : host;
        if (colon >= 0)
        {
            var port = host[(colon + 1)..];
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit) || int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) > 65535)
            {
                return false;
            }
        }

        if (name.Length == 0)
        {
            return false;
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }
}
