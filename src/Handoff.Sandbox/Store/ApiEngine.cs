using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Store;

/// <summary>
/// The API server's storage semantics, HTTP-free: create/update/patch/delete with metadata handling, admission
/// (defaults, validation, field validation), the status subresource, finalizers, graceful deletion and preconditions.
/// Controllers (garbage collector, namespaces, CRDs, scheduler, Jobs) are apart, in Controllers/, and follow
/// <see cref="ObjectStore.Changed"/>; the HTTP layer, the kubelet and in-process manifests all write through here.
/// </summary>
/// <remarks>Split by concern: this file (reads, create, update, patch), ApiEngine.Admission.cs, ApiEngine.Delete.cs.</remarks>
internal sealed partial class ApiEngine
{
    public ApiEngine(TimeProvider time, int historyLimit)
    {
        Time = time;
        Store = new ObjectStore(historyLimit);
        Registry = new ResourceRegistry();
    }

    public TimeProvider Time { get; }

    public ObjectStore Store { get; }

    public ResourceRegistry Registry { get; }

    public ResourceCollection CollectionOf(ResourceType t) => Store.Collection(t.GroupResource);

    /// <summary>The preferred served type of a collection (null when its resource is no longer served).</summary>
    public ResourceType? TypeOf(ResourceCollection collection) => Registry.ByGroupResource(collection.GroupResource);

    /// <summary>A built-in type by group and plural (its only served version).</summary>
    public ResourceType Builtin(string group, string plural) =>
        Registry.All.First(t => t.Group == group && t.Plural == plural && !t.IsCustom);

    private static ApiException NotFound(ResourceType t, string name) => ApiException.NotFound(t.GroupResource, t.Group, t.Plural, name);

    internal string Now() => KubeTime.Timestamp(Time.GetUtcNow());

    public StoredObject Get(ResourceType t, string? ns, string name) =>
        CollectionOf(t).Get(ResourceCollection.KeyOf(t.Namespaced ? ns : null, name)) ?? throw NotFound(t, name);

    public StoredObject? TryGet(ResourceType t, string? ns, string name) =>
        CollectionOf(t).Get(ResourceCollection.KeyOf(t.Namespaced ? ns : null, name));

    public StoredObject Create(ResourceType t, string? ns, JsonObject body, WriteOptions options, List<string> warnings)
    {
        CheckTypeMeta(t, body);
        var meta = JsonNodes.Metadata(body);
        var name = JsonNodes.GetString(meta, "name");
        if (string.IsNullOrEmpty(name))
        {
            var generateName = JsonNodes.GetString(meta, "generateName");
            if (string.IsNullOrEmpty(generateName))
            {
                throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, "", [FieldCause.Required("metadata.name", "name or generateName is required")]);
            }

            name = generateName + RandomSuffix();
            meta["name"] = name;
        }

        CheckNamespace(t, ns, meta, forCreate: true);
        if (JsonNodes.GetString(meta, "resourceVersion") is { Length: > 0 })
        {
            throw new ApiException(500, "InternalError", "resourceVersion should not be set on objects to be created");
        }

        warnings.AddRange(CheckUnknownFields(t, body, options.Validation));
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Now();
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta.Remove("managedFields");
        meta.Remove("selfLink");
        if (t.IsCustom || t.GroupResource is "deployments.apps" or "customresourcedefinitions.apiextensions.k8s.io" or "poddisruptionbudgets.policy" or "jobs.batch")
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        KindRules.PrepareForCreate(t, body, Time.GetUtcNow(), AllocateClusterIp);
        t.Schema?.ApplyDefaults(body);
        AdmitPriority(t, body, name);
        Validate(t, body, null);
        AdmitPriorityClass(t, body);
        options.Admission?.Invoke(t, null, body, null);
        if (options.DryRun)
        {
            return new StoredObject(body, JsonNodes.ToBytes(body), Store.CurrentResourceVersion, ResourceCollection.KeyOf(JsonNodes.GetString(meta, "namespace"), name));
        }

        var key = ResourceCollection.KeyOf(t.Namespaced ? ns : null, name);
        return CollectionOf(t).Create(body, key, () => ApiException.AlreadyExists(t.GroupResource, t.Group, t.Plural, name));
    }

    /// <summary>PUT of the object or its status.</summary>
    public StoredObject Update(ResourceType t, string? ns, string name, JsonObject body, string? subresource, WriteOptions options, List<string> warnings)
    {
        CheckTypeMeta(t, body);
        var meta = JsonNodes.Metadata(body);
        var bodyName = JsonNodes.GetString(meta, "name");
        if (bodyName is not null && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        meta["name"] = name;
        CheckNamespace(t, ns, meta, forCreate: false);
        long? precondition = JsonNodes.GetString(meta, "resourceVersion") is { Length: > 0 } rvText
            ? long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : throw ApiException.BadRequest($"invalid resource version: {rvText}")
            : null;
        if (subresource is null)
        {
            warnings.AddRange(CheckUnknownFields(t, body, options.Validation));
        }

        for (var attempt = 0; ; attempt++)
        {
            var current = Get(t, ns, name);
            if (precondition is { } p && p != current.ResourceVersion)
            {
                throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
            }

            var result = TryUpdate(t, current, (JsonObject)body.DeepClone(), subresource, options, validate: true);
            if (result is not null)
            {
                return result;
            }

            if (precondition is not null || attempt > 100)
            {
                throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
            }
        }
    }

    /// <summary>PATCH of the object or its status; re-applied on the latest version when it changes underneath.</summary>
    public StoredObject Patch(ResourceType t, string? ns, string name, string patchType, JsonNode? patch, string? subresource, WriteOptions options, List<string> warnings)
    {
        for (var attempt = 0; ; attempt++)
        {
            var current = Get(t, ns, name);
            var doc = current.CloneNode();
            JsonNode? patched = patchType switch
            {
                "application/merge-patch+json" => Patches.MergePatch(doc, patch),
                "application/strategic-merge-patch+json" when !t.IsCustom => Patches.StrategicMergePatch(doc, patch),
                "application/strategic-merge-patch+json" => throw new ApiException(415, "UnsupportedMediaType",
                    $"strategic merge patch is not supported for {t.GroupResource}; use merge patch (application/merge-patch+json) or JSON patch instead"),
                "application/json-patch+json" => patch is JsonArray ops ? Patches.JsonPatch(doc, ops) : throw ApiException.BadRequest("the server rejected our request due to an error in our request: json patch must be an array"),
                "application/apply-patch+yaml" or "application/apply-patch+json" => throw new ApiException(415, "UnsupportedMediaType",
                    "server-side apply is not supported by the Handoff sandbox; use client-side apply (kubectl apply without --server-side)"),
                _ => throw ApiException.UnsupportedMediaType(patchType),
            };
            if (patched is not JsonObject patchedObj)
            {
                throw ApiException.BadRequest("the patch did not produce an object");
            }

            var meta = JsonNodes.Metadata(patchedObj);
            if (JsonNodes.GetString(meta, "name") != name)
            {
                throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, name, [FieldCause.Invalid("metadata.name", FieldCause.Quote(JsonNodes.GetString(meta, "name") ?? ""), "field is immutable")]);
            }

            if (t.Namespaced && JsonNodes.GetString(meta, "namespace") != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            // Optimistic concurrency: a resourceVersion the patch leaves in the object (its own, or the current one it
            // did not touch) must be the current one; a patch that removes it updates unconditionally, as the API
            // server allows for these kinds. Retries re-apply the patch, so a stale version stays stale.
            if (JsonNodes.GetString(meta, "resourceVersion") is { Length: > 0 } patchedRv)
            {
                if (patchedRv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
                {
                    throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
                }
            }
            else
            {
                meta["resourceVersion"] = current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            }

            if (subresource is null && attempt == 0)
            {
                var decode = t.ModelType is not null && patch is JsonObject patchObj && patchType is "application/merge-patch+json" or "application/strategic-merge-patch+json"
                    ? BuiltinDecoder.WithoutDirectives(patchObj)
                    : null;
                warnings.AddRange(CheckUnknownFields(t, patchedObj, options.Validation, decode));
            }
            else if (subresource is null && options.Validation != FieldValidation.Strict)
            {
                CheckUnknownFields(t, patchedObj, FieldValidation.Ignore);
            }

            CheckTypeMeta(t, patchedObj);
            var result = TryUpdate(t, current, patchedObj, subresource, options, validate: true);
            if (result is not null)
            {
                return result;
            }

            if (attempt > 100)
            {
                throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
            }
        }
    }

    /// <summary>
    /// Internal read-modify-write used by the controllers, the kubelet and the subresources: <paramref name="mutate"/>
    /// returns false to leave the object alone; with <paramref name="uid"/>, an object of that name but another uid (a
    /// new one) is left alone too. Returns null when the object is gone.
    /// </summary>
    public StoredObject? Mutate(ResourceType t, string? ns, string name, Func<JsonObject, bool> mutate, string? subresource = null, bool validate = false, string? uid = null)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var current = TryGet(t, ns, name);
            if (current is null)
            {
                return null;
            }

            if (uid is not null && current.Uid != uid)
            {
                return current;
            }

            var doc = current.CloneNode();
            if (!mutate(doc))
            {
                return current;
            }

            var result = TryUpdate(t, current, doc, subresource, WriteOptions.Internal, validate, raw: subresource is null);
            if (result is not null)
            {
                return result;
            }
        }

        throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
    }

    /// <summary>Commits an update against <paramref name="current"/>; null when current changed meanwhile.</summary>
    /// <param name="raw">Internal writers (kubelet, binding, namespace controller) set metadata and status directly.</param>
    private StoredObject? TryUpdate(ResourceType t, StoredObject current, JsonObject next, string? subresource, WriteOptions options, bool validate, bool raw = false)
    {
        var old = current.Node;
        var oldMeta = (JsonObject)old["metadata"]!;
        JsonObject updated;
        if (raw)
        {
            updated = next;
        }
        else if (subresource == "status")
        {
            updated = current.CloneNode();
            if (next["status"] is { } status)
            {
                updated["status"] = status.DeepClone();
            }
            else
            {
                updated.Remove("status");
            }

            // Unknown status fields are pruned silently, as the API server does for custom resources.
            t.Schema?.Prune(updated, remove: true);
        }
        else
        {
            updated = next;
            var meta = JsonNodes.Metadata(updated);
            foreach (var key in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace" })
            {
                if (oldMeta[key] is { } v)
                {
                    meta[key] = v.DeepClone();
                }
                else
                {
                    meta.Remove(key);
                }
            }

            meta.Remove("managedFields");
            meta.Remove("selfLink");
            if (t.HasStatus)
            {
                if (old["status"] is { } oldStatus)
                {
                    updated["status"] = oldStatus.DeepClone();
                }
                else
                {
                    updated.Remove("status");
                }
            }

            t.Schema?.ApplyDefaults(updated);
            if (PriorityRules.IsPriorityClass(t))
            {
                PriorityRules.DefaultClass(updated);
            }

            if (oldMeta["generation"] is { } gen)
            {
                var changed = !JsonNodes.DeepEqualsIgnoring(updated, old, "metadata", "status", "apiVersion", "kind");
                var g = long.Parse(JsonNodes.ScalarText(gen), CultureInfo.InvariantCulture);
                meta["generation"] = changed ? g + 1 : g;
            }

            if (oldMeta["deletionTimestamp"] is not null)
            {
                var before = (oldMeta["finalizers"] as JsonArray)?.Select(JsonNodes.ScalarText).ToHashSet() ?? [];
                var added = (meta["finalizers"] as JsonArray)?.Select(JsonNodes.ScalarText).Where(f => !before.Contains(f)).ToList() ?? [];
                if (added.Count > 0)
                {
                    throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, current.Name,
                        [FieldCause.Forbidden("metadata.finalizers", $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}")]);
                }
            }
        }

        if (validate)
        {
            Validate(t, updated, old);
            AdmitPriorityClass(t, updated);
        }

        options.Admission?.Invoke(t, subresource, updated, old);

        // A write that changes nothing is not stored (no new resourceVersion, no event), as in Kubernetes.
        var updatedMeta = JsonNodes.Metadata(updated);
        updatedMeta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        if (JsonNode.DeepEquals(updated, old))
        {
            return current;
        }

        if (options.DryRun)
        {
            return new StoredObject(updated, JsonNodes.ToBytes(updated), current.ResourceVersion, current.Key);
        }

        var collection = CollectionOf(t);
        if (updatedMeta["deletionTimestamp"] is not null && (updatedMeta["finalizers"] is not JsonArray f || f.Count == 0) && !AwaitsGracefulTermination(t, updated))
        {
            // The last finalizer is gone: the object goes, as the API server deletes it on that update.
            return collection.Delete(current.Key, current.ResourceVersion);
        }

        return collection.Update(current.Key, current.ResourceVersion, updated, out _);
    }
}
