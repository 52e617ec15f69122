"""Fixes for moto 5.2.1 bugs that a CDK-synthesized stepflow stack hits, applied in-process.

Each patch names the bug it fixes; none edits site-packages. `apply()` must run before the
server handles its first request (CloudFormation caches its model list on first use).
"""

import copy as _copy
import datetime
import json
import uuid


def apply():
    _patch_execution_copy()
    _patch_unnamed_execution()
    _patch_cfn_state_machines()
    _add_cfn_models()
    _patch_cfn_failures()
    _patch_sfn_integration_casing()
    _add_test_event_pattern()
    _patch_definite_json_paths()


class StackResourceFailed(Exception):
    """A resource CloudFormation would fail: the stack rolls back with this reason."""

    def __init__(self, logical_id, resource_type, reason):
        super().__init__(reason)
        self.logical_id = logical_id
        self.resource_type = resource_type
        self.reason = reason


def _patch_execution_copy():
    """StartExecution deep-copies the state machine, and with it the backend it points to and
    every other machine's executions, whose RLocks cannot be copied: a second execution in the
    account fails (fixed in 5.2.3). The copy now shares the backend and starts with no executions."""
    from moto.stepfunctions.parser import models

    class _Copy:
        @staticmethod
        def deepcopy(value, memo=None):
            executions = getattr(value, "executions", None)
            if executions is None:
                return _copy.deepcopy(value, memo)
            memo = {} if memo is None else memo
            backend = getattr(value, "backend", None)
            if backend is not None:
                memo[id(backend)] = backend
            value.executions = []
            try:
                return _copy.deepcopy(value, memo)
            finally:
                value.executions = executions

        copy = staticmethod(_copy.copy)

    models.copy = _Copy


def _patch_unnamed_execution():
    """StartExecution without `name` names every run `None`; AWS generates a UUID."""
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    original = StepFunctionsParserBackend.start_execution

    def start_execution(self, state_machine_arn, name=None, execution_input=None, trace_header=None):
        return original(self, state_machine_arn, name or str(uuid.uuid4()), execution_input, trace_header)

    StepFunctionsParserBackend.start_execution = start_execution


def _patch_cfn_state_machines():
    """CloudFormation state machines land in the non-executing backend and ignore substitutions."""
    from moto.stepfunctions.models import StateMachine
    from moto.stepfunctions.responses import get_backend

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        definition = properties.get("DefinitionString", "")
        if not isinstance(definition, str):
            definition = json.dumps(definition)
        # CloudFormation replaces `${key}` for each substitution given and leaves other text.
        for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
            definition = definition.replace("${" + key + "}", str(value))
        tags = [{"key": t["Key"], "value": t["Value"]} for t in properties.get("Tags", [])]
        backend = get_backend(account_id, region_name)
        return backend.create_state_machine(
            properties.get("StateMachineName", resource_name), definition, properties.get("RoleArn", ""),
            tags=tags)

    def delete(cls, resource_name, cloudformation_json, account_id, region_name):
        get_backend(account_id, region_name).delete_state_machine(resource_name)

    StateMachine.create_from_cloudformation_json = classmethod(create)
    StateMachine.delete_from_cloudformation_json = classmethod(delete)


def _add_cfn_models():
    """`AWS::DynamoDB::GlobalTable` and `AWS::SecretsManager::Secret` have no CloudFormation model."""
    from moto.core.common_models import CloudFormationModel
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import Table
    from moto.secretsmanager.models import secretsmanager_backends

    class GlobalTable(CloudFormationModel):
        # moto files each model under the service named by its module.
        __module__ = "moto.dynamodb.cloudformation"

        @staticmethod
        def cloudformation_name_type():
            return "TableName"

        @staticmethod
        def cloudformation_type():
            return "AWS::DynamoDB::GlobalTable"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                            **kwargs):
            properties = cloudformation_json["Properties"]
            # The replica in this region carries the per-replica settings of a GlobalTable.
            table = Table.create_from_cloudformation_json(resource_name, cloudformation_json, account_id,
                                                          region_name)
            ttl = properties.get("TimeToLiveSpecification")
            if ttl:
                dynamodb_backends[account_id][region_name].update_time_to_live(
                    table.name, {"AttributeName": ttl["AttributeName"], "Enabled": ttl.get("Enabled", False)})
            return table

    class Secret(CloudFormationModel):
        __module__ = "moto.secretsmanager.cloudformation"

        def __init__(self, arn):
            self.arn = arn

        @property
        def physical_resource_id(self):
            return self.arn

        @staticmethod
        def cloudformation_name_type():
            return "Name"

        @staticmethod
        def cloudformation_type():
            return "AWS::SecretsManager::Secret"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name,
                                            **kwargs):
            properties = cloudformation_json["Properties"]
            backend = secretsmanager_backends[account_id][region_name]
            created = json.loads(backend.create_secret(
                name=resource_name, secret_string=properties.get("SecretString"), secret_binary=None,
                description=properties.get("Description"), tags=properties.get("Tags"), kms_key_id=None,
                client_request_token=None, replica_regions=[], force_overwrite=False))
            return cls(created["ARN"])

    return GlobalTable, Secret


def _patch_cfn_failures():
    """An intrinsic that fails (Fn::Select out of range) left the stack CREATE_IN_PROGRESS forever;
    CloudFormation fails the resource and rolls the stack back."""
    from moto.cloudformation import parsing
    from moto.cloudformation.models import Event, Stack

    original_create = parsing.parse_and_create_resource

    def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
        try:
            return original_create(logical_id, resource_json, resources_map, account_id, region_name)
        except IndexError as error:
            raise StackResourceFailed(logical_id, resource_json.get("Type"),
                                      f"Template error: Fn::Select cannot select nonexistent value ({error})")
        except StackResourceFailed:
            raise
        except Exception as error:
            raise StackResourceFailed(logical_id, resource_json.get("Type"), f"{type(error).__name__}: {error}")

    parsing.parse_and_create_resource = parse_and_create_resource
    original_resources = Stack.create_resources

    def create_resources(self):
        try:
            original_resources(self)
        except StackResourceFailed as failure:
            self.events.append(Event(
                stack_id=self.stack_id, stack_name=self.name, logical_resource_id=failure.logical_id,
                physical_resource_id="", resource_type=failure.resource_type, resource_status="CREATE_FAILED",
                resource_status_reason=failure.reason, resource_properties=None))
            self._add_stack_event("ROLLBACK_IN_PROGRESS",
                                  resource_status_reason=f"The following resource(s) failed to create: "
                                                         f"[{failure.logical_id}]. Rollback requested by user.")
            self.status = "ROLLBACK_COMPLETE"
            self._add_stack_event("ROLLBACK_COMPLETE")

    Stack.create_resources = create_resources


def _patch_sfn_integration_casing():
    """`states:startExecution.sync:2` passed ASL's capitalised parameter names to boto3 (the request
    failed on `'StateMachineArn'`), and the parent's DescribeExecution output held datetimes that
    the interpreter cannot serialise. Requests and responses are cased through botocore's model,
    as Step Functions does; timestamps become epoch milliseconds as in `.sync:2` outputs."""
    import boto3
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
        StateTaskServiceSfn,
    )

    model = boto3.session.Session().client("stepfunctions", region_name="us-east-1").meta.service_model

    def operation(self, service_action_name):
        action = self._get_boto_service_action(service_action_name)
        return model.operation_model("".join(part.capitalize() for part in action.split("_")))

    def normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        if service_action_name is None and self._get_boto_service_action() == "start_execution":
            value = parameters.get("Input")
            if not isinstance(value, str):
                parameters["Input"] = json.dumps({} if value is None else value, separators=(",", ":"))
        self._to_boto_request(parameters, operation(self, service_action_name).input_shape)

    def normalise_response(self, response, boto_service_name=None, service_action_name=None):
        for key, value in list(response.items()):
            if isinstance(value, datetime.datetime):
                response[key] = int(value.timestamp() * 1000)
        self._from_boto_response(response, operation(self, service_action_name).output_shape)

    StateTaskServiceSfn._normalise_parameters = normalise_parameters
    StateTaskServiceSfn._normalise_response = normalise_response


def _add_test_event_pattern():
    """moto 5.2.1 has no EventBridge `TestEventPattern` action; this adds it, answering with moto's
    own matcher (the one its rules use), so the rehearsal delivers an event to a rule only when its
    pattern matches."""
    from moto.events.models import EventPattern
    from moto.events.responses import EventsHandler

    def test_event_pattern(self):
        pattern = EventPattern.load(self._get_param("EventPattern"))
        event = json.loads(self._get_param("Event"))
        return json.dumps({"Result": pattern.matches_event(event)}), self.response_headers

    EventsHandler.test_event_pattern = test_event_pattern


_JSON_PATH_USERS = [
    "moto.stepfunctions.parser.asl.component.common.string.string_expression",
    "moto.stepfunctions.parser.asl.component.intrinsic.argument.argument",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.timestamp_operators",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.boolean_equals",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.numeric",
    "moto.stepfunctions.parser.asl.component.state.choice.comparison.operator.implementations.string_operators",
    "moto.stepfunctions.parser.asl.eval.states",
]


def _patch_definite_json_paths():
    """`$[0].key` (a Parallel branch's field) returned `[x]` where Step Functions returns `x`: a
    path with no wildcard, slice, filter or `..` is definite and yields its one value."""
    import importlib
    import re

    from jsonpath_ng.ext import parse
    from moto.stepfunctions.parser.asl.utils import json_path

    original = json_path.extract_json
    indefinite = re.compile(r"\[\s*(\*|-?\d*\s*:|\?)|\.\.|\.\*")

    def extract_json(path, data):
        if not indefinite.search(path):
            matches = parse(path).find(data)
            if len(matches) == 1:
                return matches[0].value
        return original(path, data)

    json_path.extract_json = extract_json
    for name in _JSON_PATH_USERS:
        module = importlib.import_module(name)
        if getattr(module, "extract_json", None) is original:
            module.extract_json = extract_json
