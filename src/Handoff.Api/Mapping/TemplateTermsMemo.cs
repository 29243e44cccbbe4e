using System.Runtime.CompilerServices;
using k8s.Models;

namespace Handoff.Api.Mapping;

/// <summary>
/// <see cref="TemplateTerms"/> worked out once per pod spec instance, for as long as that instance lives: the operator's
/// caches keep equal templates as one instance and never change a cached object, so a template already read is not
/// read again (at a restart, 50,000 functions of one template cost one). Only a template that reads without an error is
/// kept: an error names the function, so each function's is made afresh. Callers must not change a spec once read.
/// </summary>
public sealed class TemplateTermsMemo
{
    private readonly ConditionalWeakTable<V1PodSpec, TemplateTerms> _terms = [];

    public TemplateTerms Of(string what, V1PodSpec? spec)
    {
        if (spec is null)
        {
            return TemplateTerms.Of(what, spec);
        }

        if (_terms.TryGetValue(spec, out var known))
        {
            return known;
        }

        var terms = TemplateTerms.Of(what, spec);
        _terms.AddOrUpdate(spec, terms);
        return terms;
    }
}
