using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Store;

/// <summary>A column of server-side table output (<c>as=Table</c>).</summary>
internal sealed record TableColumn(string Name, string Type, string Format, int Priority, string Description, Func<JsonObject, DateTimeOffset, JsonNode?> Cell);

/// <summary>One served resource (group/version/plural) and how it behaves.</summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>True when <c>/status</c> is a subresource: the main resource then ignores status changes.</summary>
    public bool HasStatus { get; init; }

    /// <summary>True for pods: the <c>binding</c> and <c>eviction</c> subresources.</summary>
    public bool HasBinding { get; init; }

    /// <summary>True for serviceaccounts: the <c>token</c> subresource (TokenRequest).</summary>
    public bool HasToken { get; init; }

    /// <summary>
    /// A create-only review (TokenReview, SubjectAccessReview, …): answered from the request, never stored, so it has
    /// no other verb, no watch and no objects.
    /// </summary>
    public bool IsReview { get; init; }

    /// <summary>The KubernetesClient model used for strict decoding of built-in kinds.</summary>
    public Type? ModelType { get; init; }

    /// <summary>Set for custom resources.</summary>
    public CrdSchema? Schema { get; init; }

    public IReadOnlyList<TableColumn> Columns { get; init; } = [];

    /// <summary>Field selector labels beyond metadata.name/metadata.namespace.</summary>
    public IReadOnlySet<string> FieldLabels { get; init; } = new HashSet<string>();

    /// <summary>A field label prefix accepted as a whole (e.g. <c>involvedObject.</c> for events).</summary>
    public IReadOnlyList<string> FieldLabelPrefixes { get; init; } = [];

    /// <summary>The name must be a DNS-1123 label rather than a subdomain (namespaces, services).</summary>
    public bool NameIsLabel { get; init; }

    public bool IsCustom => Schema is not null || CrdName is not null;

    public string? CrdName { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public string GroupResource => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>Kind qualified by group, as used in Invalid messages (<c>HandoffFunction.handoff.dev</c>, <c>Pod</c>).</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : Kind + "." + Group;

    public string ListKind => Kind + "List";

    public IReadOnlyList<string> Verbs { get; init; } = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
