// The product and its tests run on Linux only (file modes, owners, shadow-utils).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
