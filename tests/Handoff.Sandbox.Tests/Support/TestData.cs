namespace Handoff.Sandbox.Tests.Support;

/// <summary>A CRD like Handoff's own (the sandbox is generic: tests bring their own kinds).</summary>
internal static class TestData
{
    public const string Group = "sandbox.test";
    public const string Version = "v1";
    public const string Plural = "widgets";
    public const string Kind = "Widget";

    public const string WidgetCrd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.sandbox.test
        spec:
          group: sandbox.test
          names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget, shortNames: [wd], categories: [sandboxtest]}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Phase, type: string, jsonPath: .status.phase}
            - {name: Size, type: integer, jsonPath: .spec.size}
            - {name: Note, type: string, jsonPath: .spec.note, priority: 1}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [size]
                    properties:
                      size: {type: integer, minimum: 0, maximum: 100}
                      color: {type: string, enum: [red, green, blue], default: red}
                      note: {type: string, maxLength: 20}
                      labels:
                        type: object
                        additionalProperties: {type: string}
                        x-kubernetes-validations:
                        - rule: self.all(k, k.matches('^[a-z]+$'))
                          message: label keys are lowercase letters
                      amount: {x-kubernetes-int-or-string: true}
                      free:
                        type: object
                        x-kubernetes-preserve-unknown-fields: true
                  status:
                    type: object
                    properties:
                      phase: {type: string}
                      count: {type: integer}
        """;

    public static string Widget(string name, int size, string? extraSpec = null) => $$"""
        apiVersion: sandbox.test/v1
        kind: Widget
        metadata:
          name: {{name}}
        spec:
          size: {{size}}
        {{(extraSpec is null ? "" : "  " + extraSpec)}}
        """;
}
