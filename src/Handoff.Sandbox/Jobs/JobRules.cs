using System.Globalization;
using System.Text.Json.Nodes;
using Handoff.Sandbox.Pods;
using Handoff.Sandbox.Store;

namespace Handoff.Sandbox.Jobs;

/// <summary>
/// The API server's defaulting and validation of batch/v1 Jobs (SetDefaults_Job, the job strategy's generated
/// selector, ValidateJob): parallelism, completions, backoffLimit and completionMode defaults; the pod template's
/// <c>batch.kubernetes.io/job-name</c>, <c>batch.kubernetes.io/controller-uid</c>, <c>job-name</c> and
/// <c>controller-uid</c> labels and the selector on the controller uid; a template that restarts Never or OnFailure.
/// </summary>
internal static class JobRules
{
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyJobNameLabel = "job-name";
    public const string LegacyControllerUidLabel = "controller-uid";

    public static void PrepareForCreate(JsonObject job)
    {
        job.Remove("status");
        var meta = JsonNodes.Metadata(job);
        var spec = job["spec"] as JsonObject ?? [];
        job["spec"] = spec;
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
        }

        spec["parallelism"] ??= 1;
        spec["backoffLimit"] ??= spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        spec["podReplacementPolicy"] ??= spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed";

        var template = spec["template"] as JsonObject ?? [];
        spec["template"] = template;
        var templateMeta = JsonNodes.Metadata(template);
        var templateSpec = template["spec"] as JsonObject ?? [];
        template["spec"] = templateSpec;
        PodSpecRules.Default(templateSpec);

        if (spec["manualSelector"] is not JsonValue manual || !manual.TryGetValue<bool>(out var isManual) || !isManual)
        {
            var name = JsonNodes.ScalarText(meta["name"]);
            var uid = JsonNodes.ScalarText(meta["uid"]);
            var labels = templateMeta["labels"] as JsonObject ?? [];
            templateMeta["labels"] = labels;
            labels[LegacyJobNameLabel] ??= name;
            labels[JobNameLabel] ??= name;
            labels[LegacyControllerUidLabel] ??= uid;
            labels[ControllerUidLabel] ??= uid;
            var selector = spec["selector"] as JsonObject ?? [];
            spec["selector"] = selector;
            var matchLabels = selector["matchLabels"] as JsonObject ?? [];
            selector["matchLabels"] = matchLabels;
            matchLabels[ControllerUidLabel] ??= uid;
        }

        if (meta["labels"] is not JsonObject { Count: > 0 } && templateMeta["labels"] is JsonObject templateLabels)
        {
            meta["labels"] = templateLabels.DeepClone();
        }
    }

    public static void Validate(JsonObject job, JsonObject? old, List<FieldCause> causes)
    {
        var spec = job["spec"] as JsonObject;
        foreach (var field in new[] { "parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished" })
        {
            if (JsonNodes.Int64(spec?[field]) is { } value && value < 0)
            {
                causes.Add(FieldCause.Invalid($"spec.{field}", value.ToString(CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
            }
        }

        var templateSpec = JsonNodes.At(spec, "template", "spec") as JsonObject;
        var restart = JsonNodes.GetString(templateSpec, "restartPolicy");
        if (restart is not ("OnFailure" or "Never"))
        {
            causes.Add(FieldCause.NotSupported("spec.template.spec.restartPolicy", FieldCause.Quote(restart ?? ""), ["OnFailure", "Never"]));
        }

        PodSpecRules.Validate(templateSpec, "spec.template.spec", causes);
        MetadataRules.ValidateLabelsAndAnnotations(JsonNodes.At(spec, "template", "metadata") as JsonObject, "spec.template.metadata", causes);
        var labels = JsonNodes.At(spec, "template", "metadata", "labels") as JsonObject;
        var matchLabels = JsonNodes.At(spec, "selector", "matchLabels") as JsonObject;
        if (matchLabels is null || matchLabels.Count == 0)
        {
            causes.Add(FieldCause.Required("spec.selector"));
        }
        else if (matchLabels.Any(kv => labels?[kv.Key] is not { } v || JsonNodes.ScalarText(v) != JsonNodes.ScalarText(kv.Value)))
        {
            causes.Add(FieldCause.Invalid("spec.template.metadata.labels", "map[string]string{...}", "`selector` does not match template `labels`"));
        }

        if (old is not null)
        {
            foreach (var field in new[] { "template", "selector", "completionMode", "completions" })
            {
                if (!JsonNode.DeepEquals(JsonNodes.At(old, "spec", field), spec?[field]))
                {
                    causes.Add(FieldCause.Invalid($"spec.{field}", "...", "field is immutable"));
                }
            }
        }
    }
}
