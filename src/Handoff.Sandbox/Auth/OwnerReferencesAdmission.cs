using System.Text.Json.Nodes;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Auth;

/// <summary>
/// The OwnerReferencesPermissionEnforcement admission plugin (on in OpenShift; the sandbox enforces it with RBAC so
/// that an operator's RBAC proven here also holds there): changing an object's ownerReferences, other than by
/// creating it, needs <c>delete</c> on the object; setting <c>blockOwnerDeletion</c> on a reference that did not
/// have it needs <c>update</c> on the owner's <c>finalizers</c> subresource. Refusals are 403 with the plugin's words.
/// </summary>
internal sealed class OwnerReferencesAdmission(ResourceRegistry registry, SandboxSecurity security)
{
    public void Validate(UserInfo user, ResourceType t, string? subresource, JsonObject obj, JsonObject? old)
    {
        // Status writes cannot change metadata (the plugin lists pods/status as exempt; other status strategies drop metadata).
        if (subresource == "status")
        {
            return;
        }

        var refs = References(obj);
        var oldRefs = old is null ? null : References(old);
        if (!Changes(refs, oldRefs))
        {
            return;
        }

        var ns = JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "namespace"));
        var name = JsonNodes.ScalarText(JsonNodes.At(obj, "metadata", "name"));
        if (old is not null)
        {
            var delete = new RequestAttributes
            {
                User = user,
                Verb = "delete",
                IsResourceRequest = true,
                ApiGroup = t.Group,
                ApiVersion = t.Version,
                Resource = t.Plural,
                Subresource = subresource ?? "",
                Namespace = ns,
                Name = name,
            };
            if (security.Authorize(delete, "admission") is { Allowed: false } denied)
            {
                throw Forbidden.Admission(t, name, $"cannot set an ownerRef on a resource you can't delete: {denied.Reason}, <nil>");
            }
        }

        foreach (var reference in NewlyBlocking(refs, oldRefs))
        {
            var apiVersion = JsonNodes.GetString(reference, "apiVersion") ?? "";
            var kind = JsonNodes.GetString(reference, "kind") ?? "";
            var owner = registry.FindByKind(apiVersion, kind);
            if (owner is null)
            {
                throw Forbidden.Admission(t, name,
                    $"cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion {apiVersion} Kind {kind}: no matches for kind \"{kind}\" in version \"{apiVersion}\"");
            }

            var finalizers = new RequestAttributes
            {
                User = user,
                Verb = "update",
                IsResourceRequest = true,
                ApiGroup = owner.Group,
                ApiVersion = owner.Version,
                Resource = owner.Plural,
                Subresource = "finalizers",
                Namespace = ns,
                Name = JsonNodes.GetString(reference, "name") ?? "",
            };
            if (security.Authorize(finalizers, "admission") is { Allowed: false } denied)
            {
                throw Forbidden.Admission(t, name,
                    $"cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: {denied.Reason}, <nil>");
            }
        }
    }

    private static List<JsonObject> References(JsonObject obj) =>
        JsonNodes.At(obj, "metadata", "ownerReferences") is JsonArray refs ? [.. refs.OfType<JsonObject>()] : [];

    private static bool Changes(List<JsonObject> refs, List<JsonObject>? old) =>
        old is null ? refs.Count > 0 : refs.Count != old.Count || refs.Where((r, i) => !JsonNode.DeepEquals(r, old[i])).Any();

    private static bool Blocks(JsonObject reference) => reference["blockOwnerDeletion"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True;

    /// <summary>References that block their owner's deletion now and did not before (by owner uid).</summary>
    private static IEnumerable<JsonObject> NewlyBlocking(List<JsonObject> refs, List<JsonObject>? old)
    {
        var blockedBefore = old?.Where(Blocks).Select(r => JsonNodes.GetString(r, "uid")).ToHashSet(StringComparer.Ordinal) ?? [];
        return refs.Where(r => Blocks(r) && !blockedBefore.Contains(JsonNodes.GetString(r, "uid")));
    }
}
