using Handoff.Api.Mapping;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Handoff.Operator.Infrastructure;
using k8s;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>
/// A pod as the operator's cache keeps it (made by <see cref="CacheTransforms.Pod"/>): its identity and what the pass reads,
/// worked out once per version of the pod instead of a KubernetesClient object kept whole. The cache holds every pod
/// of the cluster (a function's pod for as long as it lives, everyone else's for their requests), so this is most of
/// the operator's memory at scale: a function pod is its attempt (<see cref="AttemptPod"/>) and its recorded cost;
/// someone else's bound pod its effective request. Only a plain pod that may concern Handoff (unbound, or bound by
/// Handoff) keeps the trimmed pod itself (<see cref="Source"/>): placing it reads its whole scheduling spec.
/// </summary>
public sealed record PodRecord : IKubernetesObject<V1ObjectMeta>, ICachedIdentity<PodRecord>
{
    private ResourceList? _externalRequest;
    private string _name = "";
    private string? _namespace;
    private string? _uid;
    private string? _resourceVersion;
    private DateTime? _created;
    private DateTime? _deleted;
    private string? _key;
    private string? _ownerUid;
    private AttemptPod? _attempt;

    /// <summary>
    /// Name, namespace, UID, resourceVersion, creation and deletion timestamps: nothing else. Kept as the record's own
    /// fields, not as a <see cref="V1ObjectMeta"/> (168 bytes a pod, 8.4 MB at 50,000): reading it makes one, for
    /// the API calls and Events that take one; the pass reads the fields.
    /// </summary>
    public required V1ObjectMeta Metadata
    {
        get => new()
        {
            Name = _name,
            NamespaceProperty = _namespace,
            Uid = _uid,
            ResourceVersion = _resourceVersion,
            CreationTimestamp = _created,
            DeletionTimestamp = _deleted,
        };
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            (_name, _namespace, _uid, _resourceVersion, _created, _deleted) =
                (value.Name ?? "", value.NamespaceProperty, value.Uid, value.ResourceVersion, value.CreationTimestamp, value.DeletionTimestamp);
            _key = null; // another identity: its key is made again
        }
    }

    public string? Uid => _uid;

    public string? ResourceVersion => _resourceVersion;

    public DateTime? CreationTimestamp => _created;

    /// <summary>Set once the pod is being deleted (it still holds its capacity until it is gone).</summary>
    public DateTime? DeletionTimestamp => _deleted;

    public string ApiVersion { get; set; } = "v1";

    public string Kind { get; set; } = "Pod";

    /// <summary>Carries the label <c>handoff.dev/function</c>: a HandoffFunction's pod.</summary>
    public bool IsFunctionPod { get; init; }

    /// <summary>The UID of the HandoffFunction that controls it (its controller owner reference); null for none.</summary>
    public string? OwnerUid { get => _ownerUid; init => _ownerUid = value; }

    public string? SchedulerName { get; init; }

    /// <summary><c>spec.nodeName</c>: the Kubernetes Node it is bound to; null while unbound.</summary>
    public string? NodeName { get; init; }

    /// <summary>The HandoffNode its <c>handoff.dev/node</c> annotation names (where Handoff placed it).</summary>
    public string? HandoffNode { get; init; }

    public string? Phase { get; init; }

    /// <summary>The attempt it is (for a pod Handoff placed; null for others), its HandoffNode as its annotation says.</summary>
    public AttemptPod? Attempt { get => _attempt; init => _attempt = value; }

    /// <summary>The cost Handoff recorded on it when it placed it (<c>handoff.dev/cost</c>); null when none or unreadable.</summary>
    public ResourceList? Cost { get; init; }

    /// <summary>Its effective request (kube-scheduler's rule; 0 where unreadable); empty for a function pod, which holds its cost.</summary>
    public ResourceList Requests { get; init; } = ResourceList.Empty;

    /// <summary>The trimmed pod, for a plain pod that is unbound or that Handoff bound (placing it, or its traits, read its spec).</summary>
    public V1Pod? Source { get; init; }

    public string Name => _name;

    /// <summary>
    /// <c>namespace/name</c> (<see cref="Core.ObjectKeys"/>), made once per record (the cache makes it before it stores
    /// the record, or takes it from the version before) instead of once per pass: every pass keys every pod by it.
    /// </summary>
    public string Key => _key ??= Core.ObjectKeys.Of(Namespace, Name);

    public string Namespace => _namespace ?? "";

    /// <summary><see cref="Key"/> (the cache's spelling for a pod without a namespace: its name).</summary>
    public string CacheKey => Namespace.Length == 0 ? Name : Key;

    /// <summary>
    /// Takes the name, UID, key, the owner's UID and the attempt's name from the version of the pod it replaces in the
    /// cache: each was a string per version seen, and the cache's key, the pass's memos, observed pods and live placements
    /// held different versions' (a pod's key three times at 50,000 functions).
    /// </summary>
    public void KeepIdentityOf(PodRecord previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (_uid is not null && _uid == previous._uid)
        {
            (_uid, _name) = (previous._uid, _name == previous._name ? previous._name : _name);
        }

        ShareKey(previous.Key);
        ShareOwnerUid(previous._ownerUid);

        if (_attempt is { } attempt && previous._attempt is { } known && !ReferenceEquals(attempt.Name, known.Name) && attempt.Name == known.Name)
        {
            _attempt = attempt with { Name = known.Name };
        }
    }

    /// <summary>Takes <paramref name="key"/> as its key when it is its key (before the record is stored; null: none).</summary>
    public void ShareKey(string? key)
    {
        if (key is not null && key == Key)
        {
            _key = key;
        }
    }

    /// <summary>Takes <paramref name="uid"/> as its owner's UID when it is that UID (its function's own string, say).</summary>
    public void ShareOwnerUid(string? uid)
    {
        if (uid is not null && _ownerUid == uid)
        {
            _ownerUid = uid;
        }
    }

    public bool Bound => !string.IsNullOrEmpty(NodeName);

    /// <summary>What the pod is to an operator whose scheduler name is <paramref name="schedulerName"/> (<see cref="PodMapper.RoleOf(V1Pod, string)"/>).</summary>
    public PodRole RoleFor(string schedulerName) =>
        PodMapper.RoleOf(IsFunctionPod, SchedulerName == schedulerName, HandoffNode is not null, Phase, NodeName, _deleted is not null);

    /// <summary>
    /// What it holds while it lives: someone else's bound pod its effective request and one <c>pods</c>; a pod Handoff
    /// placed the cost recorded on it (its requests for a plain pod placed before pods recorded theirs; null for such a
    /// function pod).
    /// </summary>
    public ResourceList? HoldingAs(PodRole role) =>
        role == PodRole.External ? _externalRequest ??= PodMapper.ExternalRequestOf(Requests) : Cost ?? (IsFunctionPod ? null : Requests);
}
