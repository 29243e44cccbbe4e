using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// Decodes a function's pod template through <see cref="SharedInstances{T}"/> by the JSON it arrives in: a template
/// whose bytes were seen before is the instance kept for them and is not decoded again. Every watch event of a function
/// carries its whole template (a status write is one), and a restart lists all of them: decoding the same template
/// over and over was most of the list's decode.
/// </summary>
/// <param name="templates">where templates are kept</param>
/// <param name="inner">the options a new template is decoded with (without this converter)</param>
/// <param name="keep">what is kept of a newly decoded template (its strings pooled, say)</param>
/// <param name="path">where the template sits in the object (<c>$.spec.template</c>): a problem inside it is said from the object's root</param>
public sealed class SharedTemplateConverter(
    SharedInstances<V1PodTemplateSpec> templates, JsonSerializerOptions inner, Func<V1PodTemplateSpec, V1PodTemplateSpec> keep, string path)
    : JsonConverter<V1PodTemplateSpec>
{
    public override V1PodTemplateSpec? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var element = document.RootElement;
        return templates.ShareEncoded(JsonMarshal.GetRawUtf8Value(element), (Converter: this, Element: element), static s => s.Converter.Decode(s.Element));
    }

    public override void Write(Utf8JsonWriter writer, V1PodTemplateSpec value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, inner);

    private V1PodTemplateSpec Decode(JsonElement element)
    {
        try
        {
            return keep(element.Deserialize<V1PodTemplateSpec>(inner) ?? new V1PodTemplateSpec());
        }
        catch (JsonException ex) when (ex.Path is { Length: > 0 } inside)
        {
            throw new JsonException(
                ex.Message.Replace("Path: $", "Path: " + path, StringComparison.Ordinal), path + inside[1..], ex.LineNumber, ex.BytePositionInLine, ex);
        }
    }
}
