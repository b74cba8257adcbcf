// Linux only: these tests drive Linux system calls.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
