using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace U7s.Cluster.Files;

/// <summary>
/// Writes a YAML node tree as one document without the reflection serializer (the AOT build has no
/// reflection to give it): block style, no document markers, no anchors.
/// </summary>
public static class YamlText
{
    public static string Write(YamlNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(writer);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(emitter, node);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return writer.ToString();
    }

    private static void Emit(Emitter emitter, YamlNode node)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                // A scalar without a tag reads back as written, quoted or plain; a tagged one keeps its tag.
                emitter.Emit(new Scalar(AnchorName.Empty, scalar.Tag, scalar.Value ?? string.Empty, scalar.Style, scalar.Tag.IsEmpty, scalar.Tag.IsEmpty));
                break;
            case YamlSequenceNode sequence:
                emitter.Emit(new SequenceStart(AnchorName.Empty, sequence.Tag, sequence.Tag.IsEmpty, SequenceStyle.Block));
                foreach (var child in sequence.Children)
                {
                    Emit(emitter, child);
                }

                emitter.Emit(new SequenceEnd());
                break;
            case YamlMappingNode mapping:
                emitter.Emit(new MappingStart(AnchorName.Empty, mapping.Tag, mapping.Tag.IsEmpty, MappingStyle.Block));
                foreach (var (key, value) in mapping.Children)
                {
                    Emit(emitter, key);
                    Emit(emitter, value);
                }

                emitter.Emit(new MappingEnd());
                break;
            default:
                throw new InvalidDataException($"YAML node {node.NodeType} cannot be written");
        }
    }
}
