using Handoff.Api.V1Alpha1;
using Handoff.Operator.Infrastructure;
using k8s.Models;

namespace Handoff.Operator.Reconciliation;

/// <summary>The caches the queueing rules read: HandoffQueues, PriorityClasses and Namespaces.</summary>
public sealed record QueueCaches(ResourceCache<HandoffQueue> Queues, ResourceCache<V1PriorityClass> PriorityClasses, ResourceCache<V1Namespace> Namespaces);
