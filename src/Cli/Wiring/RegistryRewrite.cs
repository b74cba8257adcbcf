namespace U7s.Cli.Wiring;

/// <summary>
/// Names under <see cref="Prefix"/> (<c>host[:port][/path]</c>) are read from <see cref="Location"/> instead
/// (<c>host[:port][/path]</c>, the rest of the name appended), over plain HTTP when <see cref="Insecure"/>; or refused
/// when <see cref="Blocked"/>. One <c>[[registry]]</c> of registries.conf with the mirror it uses, or one <c>--mirror</c>.
/// </summary>
internal sealed record RegistryRewrite(string Prefix, string Location, bool Insecure, bool Blocked = false);
