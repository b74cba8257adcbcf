namespace U7s.Oci;

/// <summary>The one check of a port's PEM certificate and key settings: both or neither, and present.</summary>
public static class TlsFiles
{
    public static IEnumerable<string> Problems(string section, string? certificate, string? key)
    {
        if (string.IsNullOrEmpty(certificate) != string.IsNullOrEmpty(key))
        {
            yield return $"{section}:TlsCertificate and {section}:TlsKey go together: set both for HTTPS or neither for HTTP";
        }

        foreach (var file in new[] { certificate, key })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                yield return $"{section} TLS file '{file}' does not exist";
            }
        }
    }
}
