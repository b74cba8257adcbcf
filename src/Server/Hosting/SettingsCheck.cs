using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Configuration;
using U7s.Oci;

namespace U7s.Server.Hosting;

/// <summary>
/// Checks every key one settings source sets against the options classes before anything is bound,
/// so a typo or a bad value is reported in the user's words, naming the source and the key
/// (<c>u7s.json: unknown setting Registry:Foo</c>) rather than in the binder's. The options' shape
/// comes from <see cref="SettingsSchemaContext"/> (source-generated), not from reflection.
/// </summary>
internal static class SettingsCheck
{
    /// <summary>The first problem of <paramref name="provider"/>, or null when every key it sets is known and converts.</summary>
    /// <param name="sections">Known top-level sections and the options class each binds to.</param>
    /// <param name="scalars">Known top-level plain values (<c>Storage</c>).</param>
    /// <param name="describe">How the message names a key of this source (the file name, or the environment variable).</param>
    public static string? FirstProblem(IConfigurationProvider provider, IReadOnlyDictionary<string, Type> sections, IReadOnlyCollection<string> scalars, Func<string, string> describe)
    {
        ArgumentNullException.ThrowIfNull(provider);
        foreach (var key in Children(provider, null))
        {
            var section = sections.FirstOrDefault(s => s.Key.Equals(key, StringComparison.OrdinalIgnoreCase));
            var problem = section.Value is not null ? CheckObject(provider, key, section.Value)
                : scalars.Contains(key, StringComparer.OrdinalIgnoreCase) ? CheckValue(provider, key, typeof(string))
                : Unknown(key, NearestName.Of(key, sections.Keys.Concat(scalars)));
            if (problem is not null)
            {
                return $"{describe(problem.Value.Key)}: {problem.Value.Message}";
            }
        }

        return null;
    }

    private static (string Key, string Message)? CheckObject(IConfigurationProvider provider, string path, Type type)
    {
        var info = SettingsSchemaContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type.Name} is not in {nameof(SettingsSchemaContext)}");
        foreach (var child in Children(provider, path))
        {
            var key = $"{path}:{child}";
            var property = info.Properties.FirstOrDefault(p => p.Name.Equals(child, StringComparison.OrdinalIgnoreCase));
            var problem = property is null ? Unknown(key, NearestName.Of(child, info.Properties.Select(p => p.Name)) is { } near ? $"{path}:{near}" : null) : CheckMember(provider, key, property.PropertyType);
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static (string Key, string Message)? CheckMember(IConfigurationProvider provider, string key, Type type)
    {
        if (IsScalar(type))
        {
            return CheckValue(provider, key, type);
        }

        var info = SettingsSchemaContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type.Name} is not in {nameof(SettingsSchemaContext)}");
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => Children(provider, key)
                .Select(index => int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? CheckMember(provider, $"{key}:{index}", info.ElementType!) : Unknown($"{key}:{index}"))
                .FirstOrDefault(p => p is not null),

            // Keys are the user's (writers by name); only the values have a shape.
            JsonTypeInfoKind.Dictionary => Children(provider, key).Select(name => CheckMember(provider, $"{key}:{name}", info.ElementType!)).FirstOrDefault(p => p is not null),
            _ => CheckObject(provider, key, type),
        };
    }

    private static (string Key, string Message)? CheckValue(IConfigurationProvider provider, string key, Type type)
    {
        if (Children(provider, key).FirstOrDefault() is { } nested)
        {
            return Unknown($"{key}:{nested}");
        }

        if (!provider.TryGet(key, out var value) || value is null)
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target == typeof(string) || (target != type && value.Length == 0))
        {
            return null;
        }

        return Converts(target, value) ? null : (key, $"{key} '{value}' is not {Describe(target)}");
    }

    /// <summary>Whether the configuration binder can turn <paramref name="value"/> into <paramref name="type"/> (the scalar kinds the options use).</summary>
    private static bool Converts(Type type, string value)
    {
        var invariant = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, invariant, out _),
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, invariant, out _),
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, invariant, out _),
            _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Number, invariant, out _),
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, invariant, out _),
            _ when type == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
            _ => throw new InvalidOperationException($"no conversion check for settings of type {type.Name}"),
        };
    }

    private static (string Key, string Message) Unknown(string key, string? nearest = null) =>
        (key, nearest is null ? $"unknown setting {key}" : $"unknown setting {key} (did you mean {nearest}?)");

    private static IEnumerable<string> Children(IConfigurationProvider provider, string? path) =>
        provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase);

    private static bool IsScalar(Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        return target.IsPrimitive || target.IsEnum || target == typeof(string) || target == typeof(decimal) || target == typeof(TimeSpan) || target == typeof(Uri);
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a time span such as 01:00:00",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) || type == typeof(decimal) => "a number",
        _ when type.IsEnum => $"one of {string.Join(", ", Enum.GetNames(type))}",
        _ => $"a {type.Name}",
    };
}
