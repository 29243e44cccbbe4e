using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Support;

public sealed class Widget : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = TestData.Group + "/" + TestData.Version;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = TestData.Kind;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public WidgetSpec? Spec { get; set; }

    [JsonPropertyName("status")]
    public WidgetStatus? Status { get; set; }
}

public sealed class WidgetSpec
{
    [JsonPropertyName("size")]
    public int? Size { get; set; }

    [JsonPropertyName("color")]
    public string? Color { get; set; }

    [JsonPropertyName("note")]
    public string? Note { get; set; }
}

public sealed class WidgetStatus
{
    [JsonPropertyName("phase")]
    public string? Phase { get; set; }

    [JsonPropertyName("count")]
    public int? Count { get; set; }
}

public sealed class WidgetList : IKubernetesObject<V1ListMeta>, IItems<Widget>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<Widget> Items { get; set; } = [];
}

/// <summary>Typed calls for the Widget custom resource through KubernetesClient's CustomObjects API.</summary>
internal static class Widgets
{
    private const string G = TestData.Group;
    private const string V = TestData.Version;
    private const string P = TestData.Plural;

    public static Widget New(string name, int? size, string? note = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name }, Spec = new WidgetSpec { Size = size, Note = note } };

    public static Task<Widget> CreateAsync(this Kubernetes k, string ns, object body, string? fieldValidation = null) =>
        k.CustomObjects.CreateNamespacedCustomObjectAsync<Widget>(body, G, V, ns, P, fieldValidation: fieldValidation, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> GetWidgetAsync(this Kubernetes k, string ns, string name) =>
        k.CustomObjects.GetNamespacedCustomObjectAsync<Widget>(G, V, ns, P, name, TestContext.Current.CancellationToken);

    public static Task<WidgetList> ListWidgetsAsync(this Kubernetes k, string ns, string? labelSelector = null, int? limit = null, string? continueToken = null) =>
        k.CustomObjects.ListNamespacedCustomObjectAsync<WidgetList>(G, V, ns, P, labelSelector: labelSelector, limit: limit, continueParameter: continueToken, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> ReplaceAsync(this Kubernetes k, string ns, Widget body) =>
        k.CustomObjects.ReplaceNamespacedCustomObjectAsync<Widget>(body, G, V, ns, P, body.Metadata.Name, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> ReplaceStatusAsync(this Kubernetes k, string ns, Widget body) =>
        k.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<Widget>(body, G, V, ns, P, body.Metadata.Name, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> PatchAsync(this Kubernetes k, string ns, string name, string patchJson, V1Patch.PatchType type = V1Patch.PatchType.MergePatch) =>
        k.CustomObjects.PatchNamespacedCustomObjectAsync<Widget>(new V1Patch(patchJson, type), G, V, ns, P, name, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> PatchStatusAsync(this Kubernetes k, string ns, string name, string patchJson) =>
        k.CustomObjects.PatchNamespacedCustomObjectStatusAsync<Widget>(new V1Patch(patchJson, V1Patch.PatchType.MergePatch), G, V, ns, P, name, cancellationToken: TestContext.Current.CancellationToken);

    public static Task<Widget> DeleteWidgetAsync(this Kubernetes k, string ns, string name) =>
        k.CustomObjects.DeleteNamespacedCustomObjectAsync<Widget>(G, V, ns, P, name, cancellationToken: TestContext.Current.CancellationToken);
}
