using System.Text.Json.Nodes;
using Handoff.Api.Crds;
using Handoff.Testing;
using k8s;
using k8s.Models;

namespace Handoff.Api.Tests.Crds;

/// <summary>
/// Reads the CRDs from the files in <c>crds/</c>, as a user's kubectl would. With <c>HANDOFF_UPDATE_CRDS=1</c> the
/// files (and the chart's copy in <c>charts/handoff/crds/</c>) are first rewritten from <see cref="CrdGenerator"/>.
/// </summary>
internal static class CrdSchemas
{
    public const string UpdateVariable = "HANDOFF_UPDATE_CRDS";
    public const string RegenerateHint = "Regenerate with: HANDOFF_UPDATE_CRDS=1 dotnet test tests/Handoff.Api.Tests (see docs/crds.md).";

    public const string NodeFile = "handoffnodes.handoff.dev.yaml";
    public const string FunctionFile = "handofffunctions.handoff.dev.yaml";
    public const string QueueFile = "handoffqueues.handoff.dev.yaml";

    private static readonly Lazy<bool> s_updated = new(UpdateIfAsked, LazyThreadSafetyMode.ExecutionAndPublication);

    public static bool UpdateRequested => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Rewrites the CRD files when asked to; returns whether it did.</summary>
    public static bool EnsureUpdated() => s_updated.Value;

    public static V1CustomResourceDefinition Load(string fileName)
    {
        EnsureUpdated();
        var path = Path.Combine(RepoPaths.Crds, fileName);
        Assert.True(File.Exists(path), $"{path} is missing. {RegenerateHint}");
        return KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(path), strict: true);
    }

    /// <summary>The openAPIV3Schema of a CRD file as JSON.</summary>
    public static JsonObject OpenApiSchema(string fileName)
    {
        var schema = Load(fileName).Spec.Versions.Single().Schema.OpenAPIV3Schema;
        return (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(schema))!;
    }

    private static bool UpdateIfAsked()
    {
        if (!UpdateRequested)
        {
            return false;
        }

        var files = CrdGenerator.RenderFiles();
        foreach (var dir in new[] { RepoPaths.Crds, RepoPaths.ChartCrds })
        {
            Directory.CreateDirectory(dir);
            foreach (var stale in Directory.GetFiles(dir, "*." + Handoff.Api.V1Alpha1.HandoffApi.Group + ".yaml"))
            {
                if (!files.ContainsKey(Path.GetFileName(stale)))
                {
                    File.Delete(stale);
                }
            }

            foreach (var (name, text) in files)
            {
                File.WriteAllText(Path.Combine(dir, name), text);
            }
        }

        return true;
    }
}
