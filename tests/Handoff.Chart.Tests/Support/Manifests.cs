using System.Reflection;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

namespace Handoff.Chart.Tests.Support;

/// <summary>One object from <c>helm template</c> output.</summary>
internal sealed record RenderedObject(string Source, string ApiVersion, string Kind, string Name, string Yaml)
{
    public override string ToString() => $"{Kind} {Name} (from {Source})";
}

internal static partial class Manifests
{
    /// <summary>apiVersion/kind → KubernetesClient model, from the models' [KubernetesEntity] attributes.</summary>
    public static IReadOnlyDictionary<string, Type> Models { get; } = typeof(V1Pod).Assembly.GetTypes()
        .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(x => x.Entity is not null && !x.Type.Name.EndsWith("List", StringComparison.Ordinal))
        .GroupBy(x => Key(x.Entity!.Group, x.Entity.ApiVersion, x.Entity.Kind))
        .ToDictionary(g => g.Key, g => g.OrderBy(x => x.Type.Name.Length).First().Type);

    public static string Key(string group, string version, string kind) =>
        (string.IsNullOrEmpty(group) ? version : group + "/" + version) + "/" + kind;

    /// <summary>Splits multi-document YAML; documents without an object (comments only) are dropped.</summary>
    public static IReadOnlyList<RenderedObject> Parse(string yaml)
    {
        var objects = new List<RenderedObject>();
        foreach (var document in DocumentSeparator().Split(yaml.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            if (document.Split('\n').All(l => l.TrimStart().StartsWith('#') || l.Trim().Length == 0))
            {
                continue;
            }

            var source = SourceComment().Match(document) is { Success: true } m ? m.Groups[1].Value : "?";
            var head = KubernetesYaml.Deserialize<KubernetesObject>(document);
            var meta = KubernetesYaml.Deserialize<Named>(document);
            objects.Add(new RenderedObject(source, head.ApiVersion, head.Kind, meta.Metadata?.Name ?? "", document));
        }

        return objects;
    }

    /// <summary>Deserializes strictly into the object's model: an unknown (e.g. misspelled) field throws.</summary>
    public static object DeserializeStrict(RenderedObject obj, IReadOnlyDictionary<string, Type>? extraModels = null)
    {
        var key = obj.ApiVersion + "/" + obj.Kind;
        var type = (extraModels is not null && extraModels.TryGetValue(key, out var extra) ? extra : null)
            ?? (Models.TryGetValue(key, out var model) ? model : null)
            ?? throw new InvalidOperationException($"No model for {key} ({obj}).");
        var method = typeof(KubernetesYaml).GetMethods()
            .Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethod
                && m.GetParameters().Select(p => p.ParameterType).SequenceEqual([typeof(string), typeof(bool)]))
            .MakeGenericMethod(type);
        try
        {
            return method.Invoke(null, [obj.Yaml, true])!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"{obj} does not deserialize strictly into {type.Name}: {ex.InnerException.Message}", ex.InnerException);
        }
    }

    public static T As<T>(this RenderedObject obj) => KubernetesYaml.Deserialize<T>(obj.Yaml, strict: true);

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^# Source: (.+)$", RegexOptions.Multiline)]
    private static partial Regex SourceComment();

    private sealed class Named
    {
        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ObjectMeta? Metadata { get; set; }
    }
}
