using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Handoff.Sandbox.Schema;

namespace Handoff.Sandbox.Store;

internal enum FieldValidation
{
    Ignore,
    Warn,
    Strict,
}

/// <summary>Options of a write request.</summary>
internal sealed record WriteOptions(FieldValidation Validation = FieldValidation.Warn, bool DryRun = false)
{
    public static WriteOptions Internal { get; } = new(FieldValidation.Ignore);
}

/// <summary>Options of a delete request.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy = null, string? PreconditionUid = null, string? PreconditionResourceVersion = null, bool DryRun = false);

/// <summary>
/// The API server's semantics over the store: create/update/patch/delete with metadata handling, validation,
/// status subresource, finalizers, garbage collection, namespaces and CRDs. HTTP-free: used by the HTTP layer,
/// the simulated kubelet and manifests applied in-process.
/// </summary>
internal sealed class ApiEngine : IAsyncDisposable
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    private readonly Channel<string> _gcQueue = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _gcLoop;
    private readonly HashSet<string> _terminatingNamespaces = new(StringComparer.Ordinal);
    private readonly Lock _nsLock = new();
    private int _clusterIpCounter = 10;

    public ApiEngine(TimeProvider time, int historyLimit)
    {
        Time = time;
        Store = new ObjectStore(historyLimit);
        Registry = new ResourceRegistry();
        _gcLoop = Task.Run(() => GarbageCollectLoopAsync(_stopping.Token));
    }

    public TimeProvider Time { get; }

    public ObjectStore Store { get; }

    public ResourceRegistry Registry { get; }

    /// <summary>Raised after the set of served resources changed (a CRD was established or removed).</summary>
    public event Action? ResourcesChanged;

    public ResourceCollection CollectionOf(ResourceType t) => Store.Collection(t.GroupResource);

    private static ApiException NotFound(ResourceType t, string name) => ApiException.NotFound(t.GroupResource, t.Group, t.Plural, name);

    private string Now() => Jn.Timestamp(Time.GetUtcNow());

    public StoredObject Get(ResourceType t, string? ns, string name) =>
        CollectionOf(t).Get(ResourceCollection.KeyOf(t.Namespaced ? ns : null, name)) ?? throw NotFound(t, name);

    public StoredObject? TryGet(ResourceType t, string? ns, string name) =>
        CollectionOf(t).Get(ResourceCollection.KeyOf(t.Namespaced ? ns : null, name));

    private void CheckTypeMeta(ResourceType t, JsonObject body)
    {
        var apiVersion = Jn.GetString(body, "apiVersion");
        var kind = Jn.GetString(body, "kind");
        if (apiVersion is not null && apiVersion != t.ApiVersion && !(t.IsCustom && apiVersion.StartsWith(t.Group + "/", StringComparison.Ordinal)))
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({t.ApiVersion})");
        }

        if (kind is not null && kind != t.Kind)
        {
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({t.Kind})");
        }

        body["apiVersion"] = t.ApiVersion;
        body["kind"] = t.Kind;
    }

    private void CheckNamespace(ResourceType t, string? ns, JsonObject meta, bool forCreate)
    {
        if (!t.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }

        if (string.IsNullOrEmpty(ns))
        {
            throw ApiException.BadRequest("the namespace of the object must be given");
        }

        var bodyNs = Jn.GetString(meta, "namespace");
        if (!string.IsNullOrEmpty(bodyNs) && bodyNs != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        meta["namespace"] = ns;
        if (!forCreate)
        {
            return;
        }

        var nsType = Registry.Find("", "v1", "namespaces")!;
        var nsObj = TryGet(nsType, null, ns) ?? throw ApiException.NotFound("namespaces", "", "namespaces", ns);
        if (Jn.At(nsObj.Node, "metadata", "deletionTimestamp") is not null)
        {
            throw ApiException.Forbidden($"{t.GroupResource} \"{Jn.GetString(meta, "name") ?? Jn.GetString(meta, "generateName")}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                new JsonObject { ["name"] = Jn.GetString(meta, "name"), ["group"] = t.Group, ["kind"] = t.Plural, ["causes"] = new JsonArray(new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }) });
        }
    }

    /// <summary>Applies fieldValidation: returns warnings, throws 400 in Strict mode.</summary>
    /// <param name="decode">For built-in kinds: the document to decode instead of the whole body (a merge patch: unknown
    /// fields can only come from it, and it is much smaller). Unknown fields found are dropped from the body unless Strict.</param>
    private static List<string> CheckUnknownFields(ResourceType t, JsonObject body, FieldValidation mode, JsonObject? decode = null)
    {
        List<string> unknown;
        if (t.Schema is { } schema)
        {
            unknown = schema.Prune(body, remove: mode != FieldValidation.Strict);
        }
        else if (t.ModelType is { } model)
        {
            unknown = mode == FieldValidation.Ignore ? [] : BuiltinDecoder.UnknownFields(model, decode ?? body, remove: false);
            if (mode == FieldValidation.Warn)
            {
                foreach (var path in unknown)
                {
                    BuiltinDecoder.RemovePath(body, path);
                }
            }
        }
        else
        {
            unknown = [];
        }

        if (unknown.Count == 0 || mode == FieldValidation.Ignore)
        {
            return [];
        }

        if (mode == FieldValidation.Strict)
        {
            var text = unknown.Count == 1
                ? $"unknown field \"{unknown[0]}\""
                : "[" + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")) + "]";
            throw ApiException.BadRequest($"{t.Kind} in version \"{t.Version}\" cannot be handled as a {t.Kind}: strict decoding error: {text}");
        }

        return [.. unknown.Select(u => $"unknown field \"{u}\"")];
    }

    private void Validate(ResourceType t, JsonObject obj, JsonObject? old)
    {
        var causes = KindRules.Validate(t, obj, old);
        if (t.Schema is { } schema)
        {
            causes.AddRange(schema.Validate(obj));
        }

        if (KindRules.IsCrd(t))
        {
            // Throws 422 with the CRD's own causes when it cannot be served.
            ResourceRegistry.TypesOf(obj);
        }

        if (causes.Count > 0)
        {
            throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, Jn.ScalarText(Jn.At(obj, "metadata", "name")), causes);
        }
    }

    public StoredObject Create(ResourceType t, string? ns, JsonObject body, WriteOptions options, List<string> warnings)
    {
        CheckTypeMeta(t, body);
        var meta = Jn.Metadata(body);
        var name = Jn.GetString(meta, "name");
        if (string.IsNullOrEmpty(name))
        {
            var generateName = Jn.GetString(meta, "generateName");
            if (string.IsNullOrEmpty(generateName))
            {
                throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, "", [FieldCause.Required("metadata.name", "name or generateName is required")]);
            }

            name = generateName + RandomSuffix();
            meta["name"] = name;
        }

        CheckNamespace(t, ns, meta, forCreate: true);
        if (Jn.GetString(meta, "resourceVersion") is { Length: > 0 })
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
        if (t.IsCustom || t.GroupResource is "deployments.apps" or "customresourcedefinitions.apiextensions.k8s.io" or "poddisruptionbudgets.policy")
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        KindRules.PrepareForCreate(t, body, Time.GetUtcNow(), AllocateClusterIp);
        t.Schema?.ApplyDefaults(body);
        Validate(t, body, null);
        if (options.DryRun)
        {
            return new StoredObject(body, Jn.ToBytes(body), Store.CurrentResourceVersion, ResourceCollection.KeyOf(Jn.GetString(meta, "namespace"), name));
        }

        var key = ResourceCollection.KeyOf(t.Namespaced ? ns : null, name);
        var stored = CollectionOf(t).Create(body, key, () => ApiException.AlreadyExists(t.GroupResource, t.Group, t.Plural, name));
        if (KindRules.IsCrd(t))
        {
            EstablishCrd(stored);
        }
        else if (KindRules.IsNamespace(t))
        {
            // What the service account controller does for every namespace.
            var sa = Registry.Find("", "v1", "serviceaccounts")!;
            try
            {
                Create(sa, name, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, WriteOptions.Internal, []);
            }
            catch (ApiException e) when (e.Code == 409)
            {
            }
        }

        return stored;
    }

    private string AllocateClusterIp()
    {
        var n = Interlocked.Increment(ref _clusterIpCounter);
        return $"10.96.{(n / 250 % 250).ToString(CultureInfo.InvariantCulture)}.{(n % 250 + 1).ToString(CultureInfo.InvariantCulture)}";
    }

    private static string RandomSuffix() =>
        string.Create(5, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)];
            }
        });

    /// <summary>PUT of the object or its status.</summary>
    public StoredObject Update(ResourceType t, string? ns, string name, JsonObject body, string? subresource, WriteOptions options, List<string> warnings)
    {
        CheckTypeMeta(t, body);
        var meta = Jn.Metadata(body);
        var bodyName = Jn.GetString(meta, "name");
        if (bodyName is not null && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }

        meta["name"] = name;
        CheckNamespace(t, ns, meta, forCreate: false);
        long? precondition = Jn.GetString(meta, "resourceVersion") is { Length: > 0 } rvText
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

            var meta = Jn.Metadata(patchedObj);
            if (Jn.GetString(meta, "name") != name)
            {
                throw ApiException.Invalid(t.QualifiedKind, t.Group, t.Kind, name, [FieldCause.Invalid("metadata.name", FieldCause.Quote(Jn.GetString(meta, "name") ?? ""), "field is immutable")]);
            }

            if (t.Namespaced && Jn.GetString(meta, "namespace") != ns)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var patchedRv = Jn.GetString(meta, "resourceVersion");
            var explicitPrecondition = patchedRv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture);
            if (explicitPrecondition)
            {
                throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
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
    /// Internal read-modify-write used by the kubelet, the binding subresource and the GC: <paramref name="mutate"/>
    /// returns false to leave the object alone. Returns null when the object is gone.
    /// </summary>
    public StoredObject? Mutate(ResourceType t, string? ns, string name, Func<JsonObject, bool> mutate, string? subresource = null, bool validate = false)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var current = TryGet(t, ns, name);
            if (current is null)
            {
                return null;
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
            var meta = Jn.Metadata(updated);
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
            if (oldMeta["generation"] is { } gen)
            {
                var changed = !Jn.DeepEqualsIgnoring(updated, old, "metadata", "status", "apiVersion", "kind");
                var g = long.Parse(Jn.ScalarText(gen), CultureInfo.InvariantCulture);
                meta["generation"] = changed ? g + 1 : g;
            }

            if (oldMeta["deletionTimestamp"] is not null)
            {
                var before = (oldMeta["finalizers"] as JsonArray)?.Select(Jn.ScalarText).ToHashSet() ?? [];
                var added = (meta["finalizers"] as JsonArray)?.Select(Jn.ScalarText).Where(f => !before.Contains(f)).ToList() ?? [];
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
        }

        // A write that changes nothing is not stored (no new resourceVersion, no event), as in Kubernetes.
        var updatedMeta = Jn.Metadata(updated);
        updatedMeta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        if (JsonNode.DeepEquals(updated, old))
        {
            return current;
        }

        if (options.DryRun)
        {
            return new StoredObject(updated, Jn.ToBytes(updated), current.ResourceVersion, current.Key);
        }

        var collection = CollectionOf(t);
        if (updatedMeta["deletionTimestamp"] is not null && (updatedMeta["finalizers"] is not JsonArray f || f.Count == 0))
        {
            var deleted = collection.Delete(current.Key, current.ResourceVersion);
            if (deleted is not null)
            {
                AfterDelete(t, deleted, orphan: false);
            }

            return deleted;
        }

        var stored = collection.Update(current.Key, current.ResourceVersion, updated, out _);
        if (stored is not null && KindRules.IsCrd(t) && subresource is null)
        {
            EstablishCrd(stored);
        }

        return stored;
    }

    /// <summary>DELETE: returns the object (with deletionTimestamp when finalizers keep it) and whether it is gone.</summary>
    public (StoredObject Object, bool Gone) Delete(ResourceType t, string? ns, string name, DeleteOptions options)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var current = Get(t, ns, name);
            if (options.PreconditionUid is { Length: > 0 } uid && uid != current.Uid)
            {
                throw ApiException.Conflict(t.GroupResource, t.Group, t.Plural, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {current.Uid}");
            }

            if (options.PreconditionResourceVersion is { Length: > 0 } prv && prv != current.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw ApiException.Conflict(t.GroupResource, t.Group, t.Plural, name,
                    $"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object meta: {current.ResourceVersion}");
            }

            if (options.DryRun)
            {
                return (current, false);
            }

            var meta = (JsonObject)current.Node["metadata"]!;
            var hasFinalizers = meta["finalizers"] is JsonArray { Count: > 0 };
            if (KindRules.IsNamespace(t))
            {
                return (DeleteNamespace(t, current), false);
            }

            if (options.PropagationPolicy == "Foreground")
            {
                foreach (var (collection, key) in Store.Dependents(current.Uid))
                {
                    DeleteDependent(collection, key, foreground: true);
                }
            }

            if (hasFinalizers)
            {
                if (meta["deletionTimestamp"] is not null)
                {
                    return (current, false);
                }

                var doc = current.CloneNode();
                var m = Jn.Metadata(doc);
                m["deletionTimestamp"] = Now();
                m["deletionGracePeriodSeconds"] = 0;
                var marked = CollectionOf(t).Update(current.Key, current.ResourceVersion, doc, out _);
                if (marked is not null)
                {
                    return (marked, false);
                }

                continue;
            }

            var deleted = CollectionOf(t).Delete(current.Key, current.ResourceVersion);
            if (deleted is not null)
            {
                AfterDelete(t, deleted, options.PropagationPolicy == "Orphan");
                return (deleted, true);
            }
        }

        throw ApiException.StaleConflict(t.GroupResource, t.Group, t.Plural, name);
    }

    private void AfterDelete(ResourceType t, StoredObject deleted, bool orphan)
    {
        if (KindRules.IsCrd(t))
        {
            RemoveCrd(deleted);
        }

        if (orphan)
        {
            foreach (var (collection, key) in Store.Dependents(deleted.Uid))
            {
                RemoveOwnerRefs(collection, key, deleted.Uid);
            }
        }
        else
        {
            _gcQueue.Writer.TryWrite(deleted.Uid);
        }

        if (t.Namespaced)
        {
            bool terminating;
            lock (_nsLock)
            {
                terminating = _terminatingNamespaces.Contains(deleted.Namespace);
            }

            if (terminating)
            {
                _ = Task.Run(() => FinishNamespaceIfEmpty(deleted.Namespace));
            }
        }
    }

    private ResourceType? TypeOfCollection(ResourceCollection collection) =>
        Registry.All.FirstOrDefault(rt => rt.GroupResource == collection.GroupResource);

    private void RemoveOwnerRefs(ResourceCollection collection, string key, string ownerUid)
    {
        var obj = collection.Get(key);
        if (obj is null || TypeOfCollection(collection) is not { } t)
        {
            return;
        }

        Mutate(t, obj.Namespace, obj.Name, doc =>
        {
            if (Jn.At(doc, "metadata", "ownerReferences") is not JsonArray refs)
            {
                return false;
            }

            var kept = refs.Where(r => Jn.GetString(r, "uid") != ownerUid).Select(r => r?.DeepClone()).ToArray();
            if (kept.Length == refs.Count)
            {
                return false;
            }

            if (kept.Length == 0)
            {
                Jn.Metadata(doc).Remove("ownerReferences");
            }
            else
            {
                Jn.Metadata(doc)["ownerReferences"] = new JsonArray(kept);
            }

            return true;
        });
    }

    private void DeleteDependent(ResourceCollection collection, string key, bool foreground)
    {
        var obj = collection.Get(key);
        if (obj is null || TypeOfCollection(collection) is not { } t)
        {
            return;
        }

        try
        {
            Delete(t, obj.Namespace.Length > 0 ? obj.Namespace : null, obj.Name, new DeleteOptions(foreground ? "Foreground" : "Background"));
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Gone already, or changed: the GC sees it again if it still matters.
        }
    }

    private async Task GarbageCollectLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var ownerUid in _gcQueue.Reader.ReadAllAsync(ct))
            {
                foreach (var (collection, key) in Store.Dependents(ownerUid))
                {
                    try
                    {
                        CollectDependent(collection, key, ownerUid);
                    }
                    catch (ApiException)
                    {
                        // The dependent changed or went away meanwhile.
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CollectDependent(ResourceCollection collection, string key, string deletedOwner)
    {
        var obj = collection.Get(key);
        if (obj is null)
        {
            return;
        }

        var owners = ObjectStore.OwnerUids(obj.Node).ToList();
        var alive = owners.Where(u => u != deletedOwner && Store.UidExists(u)).ToList();
        if (alive.Count == 0)
        {
            DeleteDependent(collection, key, foreground: false);
        }
        else if (alive.Count < owners.Count)
        {
            foreach (var dead in owners.Except(alive))
            {
                RemoveOwnerRefs(collection, key, dead);
            }
        }
    }

    private StoredObject DeleteNamespace(ResourceType t, StoredObject current)
    {
        var ns = current.Name;
        if (ns is "default" or "kube-system" or "kube-public")
        {
            throw ApiException.Forbidden($"namespaces \"{ns}\" is forbidden: this namespace may not be deleted");
        }

        lock (_nsLock)
        {
            _terminatingNamespaces.Add(ns);
        }

        var marked = Mutate(t, null, ns, doc =>
        {
            var meta = Jn.Metadata(doc);
            if (meta["deletionTimestamp"] is not null)
            {
                return false;
            }

            meta["deletionTimestamp"] = Now();
            meta["deletionGracePeriodSeconds"] = 0;
            doc["status"] = new JsonObject { ["phase"] = "Terminating" };
            return true;
        }) ?? current;

        // The namespace controller: delete everything inside, then the namespace once it is empty.
        foreach (var rt in Registry.All.Where(r => r.Namespaced).DistinctBy(r => r.GroupResource))
        {
            foreach (var obj in CollectionOf(rt).List(new Query(ns, LabelSelector.Everything, FieldSelector.Everything)).Items)
            {
                try
                {
                    Delete(rt, ns, obj.Name, new DeleteOptions("Background"));
                }
                catch (ApiException)
                {
                    // Already gone.
                }
            }
        }

        return FinishNamespaceIfEmpty(ns) ?? marked;
    }

    private StoredObject? FinishNamespaceIfEmpty(string ns)
    {
        foreach (var rt in Registry.All.Where(r => r.Namespaced).DistinctBy(r => r.GroupResource))
        {
            if (CollectionOf(rt).List(new Query(ns, LabelSelector.Everything, FieldSelector.Everything), limit: 1).Items.Count > 0)
            {
                return null;
            }
        }

        var nsType = Registry.Find("", "v1", "namespaces")!;
        var collection = CollectionOf(nsType);
        var key = ResourceCollection.KeyOf(null, ns);
        var current = collection.Get(key);
        if (current is null || Jn.At(current.Node, "metadata", "deletionTimestamp") is null)
        {
            return null;
        }

        var deleted = collection.Delete(key, null);
        lock (_nsLock)
        {
            _terminatingNamespaces.Remove(ns);
        }

        if (deleted is not null)
        {
            _gcQueue.Writer.TryWrite(deleted.Uid);
        }

        return deleted;
    }

    /// <summary>POST pods/{name}/binding: sets spec.nodeName and the PodScheduled condition; 409 if already bound.</summary>
    public void Bind(string ns, string podName, JsonObject binding)
    {
        var pods = Registry.Find("", "v1", "pods")!;
        var target = Jn.GetString(binding["target"], "name");
        if (string.IsNullOrEmpty(target))
        {
            throw ApiException.Invalid("Binding", "", "Binding", podName, [FieldCause.Required("target.name")]);
        }

        var bindingName = Jn.ScalarText(Jn.At(binding, "metadata", "name"));
        if (bindingName.Length > 0 && bindingName != podName)
        {
            throw ApiException.BadRequest($"the name of the object ({bindingName}) does not match the name on the URL ({podName})");
        }

        var now = Now();
        var result = Mutate(pods, ns, podName, doc =>
        {
            var spec = doc["spec"] as JsonObject ?? [];
            if (Jn.GetString(spec, "nodeName") is { Length: > 0 } existing)
            {
                throw ApiException.Conflict("pods/binding", "", "pods/binding", podName, $"pod {podName} is already assigned to node \"{existing}\"");
            }

            if (Jn.At(doc, "metadata", "deletionTimestamp") is not null)
            {
                throw ApiException.Conflict("pods/binding", "", "pods/binding", podName, $"pod {podName} is being deleted, cannot be assigned to a host");
            }

            spec["nodeName"] = target;
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            SetCondition(status, "PodScheduled", "True", null, null, now);
            return true;
        });
        if (result is null)
        {
            throw ApiException.NotFound("pods", "", "pods", podName);
        }
    }

    public static void SetCondition(JsonObject status, string type, string value, string? reason, string? message, string now)
    {
        var conditions = status["conditions"] as JsonArray ?? [];
        status["conditions"] = conditions;
        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => Jn.GetString(c, "type") == type);
        if (existing is null)
        {
            existing = new JsonObject { ["type"] = type };
            conditions.Add(existing);
        }

        if (Jn.GetString(existing, "status") != value)
        {
            existing["lastTransitionTime"] = now;
        }

        existing["status"] = value;
        existing["lastProbeTime"] = null;
        if (reason is not null)
        {
            existing["reason"] = reason;
        }

        if (message is not null)
        {
            existing["message"] = message;
        }
    }

    private void EstablishCrd(StoredObject crd)
    {
        var types = ResourceRegistry.TypesOf(crd.Node);
        var name = crd.Name;
        Registry.Register(name, types);
        var crdType = Registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        var now = Now();
        Mutate(crdType, null, name, doc =>
        {
            var status = doc["status"] as JsonObject ?? [];
            doc["status"] = status;
            status["acceptedNames"] = Jn.At(doc, "spec", "names")?.DeepClone();
            SetCondition(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
            SetCondition(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now);
            foreach (var c in ((JsonArray)status["conditions"]!).OfType<JsonObject>())
            {
                c.Remove("lastProbeTime");
            }

            var storage = (Jn.At(doc, "spec", "versions") as JsonArray)?.FirstOrDefault(v => v?["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b);
            var stored = status["storedVersions"] as JsonArray ?? [];
            var storageName = Jn.GetString(storage, "name");
            if (storageName is not null && !stored.Any(s => Jn.ScalarText(s) == storageName))
            {
                stored.Add(storageName);
            }

            status["storedVersions"] = stored;
            return true;
        }, subresource: "status");
        ResourcesChanged?.Invoke();
    }

    private void RemoveCrd(StoredObject crd)
    {
        var types = Registry.Unregister(crd.Name);
        foreach (var gr in types.Select(t => t.GroupResource).Distinct())
        {
            if (Store.TryRemoveCollection(gr, out var collection))
            {
                collection!.CloseWatchers();
            }
        }

        ResourcesChanged?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        _gcQueue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try
        {
            await _gcLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }
}
