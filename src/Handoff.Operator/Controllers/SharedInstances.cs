using System.Runtime.InteropServices;
using System.Security.Cryptography;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// One instance for equal pod templates across the cached HandoffFunctions (a function's template is most of its
/// cached object, and the functions of a fan-out usually have the same one: their inputs reach the pod through
/// <c>args</c>, not the template). Templates are equal when their JSON is (SHA-256, so one tenant cannot forge a match
/// for another's template). Instances are held weakly: a template no function uses any more is collected, and its
/// entry swept once entries outnumber twice those alive at the last sweep. Cached templates are never modified (a pod
/// is built from a copy of its function's, <c>FunctionPods.Build</c>).
/// </summary>
public sealed class SharedTemplates
{
    private const int MinSweepAt = 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong, ulong, ulong, ulong), WeakReference<V1PodTemplateSpec>> _byHash = [];
    private int _sweepAt = MinSweepAt;

    /// <summary>The instance to keep for <paramref name="template"/>: an equal one already kept, or this one.</summary>
    public V1PodTemplateSpec Share(V1PodTemplateSpec template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var json = KubernetesJson.Serialize(template);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(json.AsSpan()), hash);
        var words = MemoryMarshal.Cast<byte, ulong>(hash);
        var key = (words[0], words[1], words[2], words[3]);
        lock (_gate)
        {
            if (_byHash.TryGetValue(key, out var kept) && kept.TryGetTarget(out var shared))
            {
                return shared;
            }

            _byHash[key] = new WeakReference<V1PodTemplateSpec>(template);
            if (_byHash.Count >= _sweepAt)
            {
                Sweep();
            }

            return template;
        }
    }

    /// <summary>Distinct templates with an entry (alive or not yet swept).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byHash.Count;
            }
        }
    }

    private void Sweep()
    {
        foreach (var (key, reference) in _byHash)
        {
            if (!reference.TryGetTarget(out _))
            {
                _byHash.Remove(key);
            }
        }

        _sweepAt = Math.Max(MinSweepAt, 2 * _byHash.Count);
    }
}
