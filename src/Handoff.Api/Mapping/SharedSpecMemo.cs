using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Handoff.Core.Resources;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// What functions share, read once per instance for as long as that instance lives: the <see cref="TemplateTerms"/>
/// of a pod spec and the parsed <c>spec.cost</c> of a cost map. The operator's caches keep equal templates and equal
/// cost maps as one instance and never change a cached object, so what is already read is not read again (at a
/// restart, 50,000 functions of one kind cost one). Only what reads without an error is kept: an error names the
/// function, so each function's is made afresh. Callers must not change a spec or map once read.
/// </summary>
public sealed class SharedSpecMemo
{
    private readonly ConditionalWeakTable<V1PodSpec, TemplateTerms> _terms = [];
    private readonly ConditionalWeakTable<IDictionary<string, string>, ResourceList> _costs = [];

    /// <summary>The terms of a function's pod spec (<see cref="TemplateTerms.Of"/>).</summary>
    public TemplateTerms TermsOf(string what, V1PodSpec? spec) =>
        spec is null ? TemplateTerms.Of(what, spec) : Remembered(_terms, spec, () => TemplateTerms.Of(what, spec));

    /// <summary>A function's <c>spec.cost</c> parsed (<see cref="HandoffMapper.ParseResources"/>).</summary>
    public ResourceList CostOf(string what, IDictionary<string, string>? cost) =>
        cost is null ? ResourceList.Empty : Remembered(_costs, cost, () => HandoffMapper.ParseResources(what, "spec.cost", cost));

    private static TValue Remembered<TKey, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TValue>(ConditionalWeakTable<TKey, TValue> table, TKey key, Func<TValue> read)
        where TKey : class
        where TValue : class
    {
        if (table.TryGetValue(key, out var known))
        {
            return known;
        }

        var value = read();
        table.AddOrUpdate(key, value);
        return value;
    }
}
