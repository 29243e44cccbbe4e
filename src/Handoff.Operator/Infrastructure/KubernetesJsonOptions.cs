using System.Text.Json;
using k8s;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// KubernetesClient's own serializer options (its converters for quantities, times, int-or-string), so that an object
/// already parsed into a <see cref="JsonElement"/> is decoded straight from it — not written out as text and parsed
/// again, which at a restart's 50,000 objects was a second of the list's decode. Read, never changed.
/// </summary>
public static class KubernetesJsonOptions
{
    private static readonly Lazy<JsonSerializerOptions> Captured = new(() =>
    {
        JsonSerializerOptions? options = null;
        KubernetesJson.AddJsonOptions(o => options = o);
        return options ?? throw new InvalidOperationException("KubernetesJson did not hand out its serializer options");
    });

    public static JsonSerializerOptions Value => Captured.Value;
}
