"""The running app serves the offline demo model, so agents work with no key and no network."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.e2e


def test_app_serves_the_demo_model(app_server):
    client = openai.OpenAI(base_url=app_server.demo_model_url, api_key="demo", max_retries=0)
    assert [m.id for m in client.models.list().data] == ["orchestrall-demo"]
    reply = client.chat.completions.create(
        model="orchestrall-demo",
        messages=[
            {"role": "system", "content": "You are Greeter."},
            {"role": "user", "content": "Say hello"},
        ],
    )
    assert reply.choices[0].message.content == '[demo model] Greeter: received "Say hello"'
