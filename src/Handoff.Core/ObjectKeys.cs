namespace Handoff.Core;

/// <summary>
/// The one spelling of a namespaced object's key, <c>namespace/name</c>: function ids in the DAG, the tracker and the
/// scheduler, and pod keys, are all made and taken apart here.
/// </summary>
public static class ObjectKeys
{
    /// <summary><c>namespace/name</c>.</summary>
    public static string Of(string @namespace, string name) => string.Concat(@namespace, "/", name);

    /// <summary>The name part of a key (the whole key when it has no namespace).</summary>
    public static string NameOf(string key) => key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..];

    /// <summary>The namespace part of a key ("" when it has none).</summary>
    public static string NamespaceOf(string key) => key.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? key[..i] : "";
}
