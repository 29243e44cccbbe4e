using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Controllers;

/// <summary>What the Nodes' cache keeps of a Node, and how a Node is decoded for it.</summary>
public static partial class CacheTransforms
{
    /// <summary>
    /// Node allocatable quantities kept once, by their canonical text (a cluster's Nodes mostly share a few shapes, and
    /// every status report brings its allocatable again), or by the JSON they arrive in (<see cref="KeptQuantityJsonConverter"/>).
    /// </summary>
    internal static SharedInstances<ResourceQuantity> NodeQuantities { get; } = new(static quantity => quantity.ToString());

    /// <summary>
    /// Keeps the name, labels (pods' node affinity matches them; discovered HandoffNodes copy them), <c>spec.unschedulable</c>,
    /// the taints, <c>status.allocatable</c> (Node-backed capacity) and the Ready condition.
    /// </summary>
    public static V1Node Node(V1Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        TrimMetadata(node.Metadata);
        node.Metadata.Annotations = null;
        return new V1Node
        {
            ApiVersion = Shared(node.ApiVersion),
            Kind = Shared(node.Kind),
            Metadata = node.Metadata,
            Spec = node.Spec is null ? null : new V1NodeSpec { Unschedulable = node.Spec.Unschedulable, Taints = node.Spec.Taints },
            Status = new V1NodeStatus
            {
                Allocatable = SharedQuantities(node.Status?.Allocatable),
                Conditions = node.Status?.Conditions?.Where(c => c.Type == "Ready").Select(c => new V1NodeCondition
                {
                    Type = Shared(c.Type),
                    Status = Shared(c.Status),
                    Reason = Shared(c.Reason),
                    Message = Shared(c.Message),
                    LastTransitionTime = c.LastTransitionTime,
                }).ToList(),
            },
        };
    }

    /// <summary>
    /// How a Node is decoded for the cache: only the fields <see cref="Node"/> keeps are read, the rest skipped unread —
    /// a Node's images, node info, addresses, capacity, heartbeats, pressure conditions and managed fields are most of
    /// it, and with every kubelet posting its status every 5 minutes they were most of what an idle operator allocated.
    /// Its allocatable quantities are read as the kept instances of their text (<see cref="NodeQuantities"/>): each
    /// was parsed, then formatted again to be shared, per report.
    /// </summary>
    public static JsonSerializerOptions NodeJson { get; } = new(KubernetesJsonOptions.Value)
    {
        TypeInfoResolver = (KubernetesJsonOptions.Value.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(ReadOnlyKeptNodeFields),
        Converters = { new KeptQuantityJsonConverter(NodeQuantities), new ReadyConditionJsonConverter() },
    };

    private static void ReadOnlyKeptNodeFields(JsonTypeInfo info)
    {
        Func<string, bool>? read =
            info.Type == typeof(V1ObjectMeta) ? static name => name is not ("managedFields" or "annotations")
            : info.Type == typeof(V1NodeSpec) ? static name => name is "unschedulable" or "taints"
            : info.Type == typeof(V1NodeStatus) ? static name => name is "allocatable" or "conditions"
            : info.Type == typeof(V1NodeCondition) ? static name => name is not "lastHeartbeatTime"
            : null;
        ReadOnly(info, read);
    }

    /// <summary>A Node's allocatable with equal quantities kept once; those <see cref="NodeJson"/> read are kept already.</summary>
    private static Dictionary<string, ResourceQuantity>? SharedQuantities(IDictionary<string, ResourceQuantity>? quantities)
    {
        if (quantities is null)
        {
            return null;
        }

        var copy = new Dictionary<string, ResourceQuantity>(quantities.Count, StringComparer.Ordinal);
        foreach (var (name, quantity) in quantities)
        {
            copy[Shared(name)!] = quantity is null ? quantity! : NodeQuantities.Share(quantity);
        }

        return copy;
    }
}
