"""What Lab 02's tests share: the `server` fixture, a lineserver on a port the kernel picked.

(This folder is on the import path of every test of the lab, the hidden ones included, so they
also share lineclient.py.)"""
import pytest


@pytest.fixture
def server(programs):
    """`lineserver -p 0`, started and ready (it printed "listening on ..."); stopped after the test."""
    return programs.start("lineserver", "-p", "0")
