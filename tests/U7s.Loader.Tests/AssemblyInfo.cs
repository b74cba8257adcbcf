// The product and its tests run on Linux only (file modes, gpg, skopeo).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
