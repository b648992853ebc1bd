#!/usr/bin/env python3
"""A webhook receiver that answers 200 after a fixed delay, for the soak's slow endpoint.

    python3 bench/slow_sink.py PORT DELAY_SECONDS

asyncio, HTTP/1.1 keep-alive: hundreds of waiting requests cost next to nothing.
"""
import asyncio
import sys

PORT = int(sys.argv[1])
DELAY = float(sys.argv[2])


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            await asyncio.sleep(DELAY)
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", PORT)
    async with server:
        await server.serve_forever()


asyncio.run(main())
