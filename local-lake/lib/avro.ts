/**
 * Reading Avro container files: the first rows of a bronze file without reading the rest (the
 * container's header, then records until enough are decoded, then the file is closed), and whole
 * small files at once (Iceberg's manifest lists and manifests). Spark writes Avro with the snappy
 * codec and Iceberg its manifests with deflate, which avsc leaves to the caller: snappyjs and zlib
 * decompress them.
 */
import * as avro from "avsc";
import * as fs from "fs";
import { uncompress as snappyUncompress } from "snappyjs";
import * as zlib from "zlib";

/** Avro's snappy blocks end with a 4-byte CRC of the uncompressed data, which is not checked here. */
const DECOMPRESS: Record<string, (buf: Buffer) => Buffer> = {
    null: (buf) => buf,
    snappy: (buf) => snappyUncompress(buf.subarray(0, buf.length - 4)),
    deflate: (buf) => zlib.inflateRawSync(buf),
};

const CODECS = Object.fromEntries(
    Object.entries(DECOMPRESS).map(([name, decompress]) => [
        name,
        (buf: Buffer, cb: (err: Error | null, out?: Buffer) => void) => {
            let out: Buffer;
            try {
                out = decompress(buf);
            } catch (e) {
                return cb(e as Error);
            }
            cb(null, out);
        },
    ]),
);

/** Decimal from big-endian two's complement bytes, as exact text (`12.30`). */
export function decimalText(bytes: Buffer, scale: number): string {
    let value = 0n;
    for (const b of bytes) value = (value << 8n) | BigInt(b);
    if (bytes.length > 0 && bytes[0] & 0x80) value -= 1n << BigInt(bytes.length * 8);
    const negative = value < 0n;
    const digits = (negative ? -value : value).toString().padStart(scale + 1, "0");
    const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return negative ? `-${text}` : text;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function timestampText(epochMicros: number): string {
    const d = new Date(Math.floor(epochMicros / 1000));
    const micros = ((epochMicros % 1_000_000) + 1_000_000) % 1_000_000;
    const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    return micros ? `${base}.${pad(micros, 6).replace(/0+$/, "")}` : base;
}

/** Read-only logical types, so previews show `2008-01-05 14:00:00` and `12.30` instead of raw numbers and bytes. */
class DecimalType extends avro.types.LogicalType {
    private readonly scale: number;
    constructor(schema: avro.Schema, opts?: unknown) {
        super(schema, opts);
        this.scale = Number((schema as { scale?: number }).scale ?? 0);
    }
    protected _fromValue(val: Buffer): string {
        return decimalText(val, this.scale);
    }
}
class TimestampMicrosType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val);
    }
}
class TimestampMillisType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val * 1000);
    }
}
class DateType extends avro.types.LogicalType {
    protected _fromValue(val: number): string {
        return timestampText(val * 86_400_000_000).slice(0, 10);
    }
}

const LOGICAL_TYPES = {
    decimal: DecimalType,
    "timestamp-micros": TimestampMicrosType,
    "timestamp-millis": TimestampMillisType,
    date: DateType,
} as unknown as Record<string, new (schema: avro.Schema, opts?: unknown) => avro.types.LogicalType>;

export interface AvroPreview {
    /** Column name and Avro type (`long`, `["null","string"]`, `timestamp-micros`, ...). */
    columns: { name: string; type: string }[];
    rows: Record<string, unknown>[];
    codec: string;
}

function typeLabel(schema: unknown): string {
    if (typeof schema === "string") return schema;
    if (Array.isArray(schema)) {
        const branches = schema.map(typeLabel).filter((t) => t !== "null");
        return `${branches.join(" | ")}${schema.length > branches.length ? " (nullable)" : ""}`;
    }
    const s = schema as { type?: unknown; logicalType?: string; precision?: number; scale?: number };
    if (s.logicalType === "decimal") return `decimal(${s.precision},${s.scale ?? 0})`;
    return s.logicalType ?? typeLabel(s.type);
}

/** The schema and the first `limit` records of an Avro container file; stops reading once it has them. */
export function previewAvro(file: string, limit: number): Promise<AvroPreview> {
    return new Promise((resolve, reject) => {
        const rows: Record<string, unknown>[] = [];
        let columns: AvroPreview["columns"] = [];
        let codec = "null";
        let settled = false;
        const decoder = avro.createFileDecoder(file, {
            codecs: CODECS,
            parseHook: (schema) => avro.Type.forSchema(schema, { logicalTypes: LOGICAL_TYPES }),
        });
        const finish = () => {
            if (settled) return;
            settled = true;
            decoder.destroy();
            resolve({ columns, rows, codec });
        };
        decoder.on("metadata", (_type: avro.Type, fileCodec: string, header: { meta: Record<string, Buffer> }) => {
            codec = fileCodec;
            // The writer's schema as written (logical types included), not avsc's re-export of it.
            const schema = JSON.parse(header.meta["avro.schema"].toString()) as { fields?: { name: string; type: unknown }[] };
            const fields = schema.fields ?? [];
            columns = fields.map((f) => ({ name: f.name, type: typeLabel(f.type) }));
            if (limit === 0) finish();
        });
        decoder.on("data", (record: Record<string, unknown>) => {
            if (settled) return;
            rows.push({ ...record });
            if (rows.length >= limit) finish();
        });
        decoder.on("end", finish);
        decoder.on("error", (e: Error) => {
            if (settled) return;
            settled = true;
            reject(new Error(`cannot read Avro file ${file}: ${e.message}`));
        });
    });
}

/**
 * Avro `long` as a JS bigint: avsc's own long type refuses values beyond 2^53, and Iceberg's snapshot
 * ids are random 64-bit numbers.
 */
const BIGINT_LONG = avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
    toBuffer: (n: bigint) => {
        const buf = Buffer.alloc(8);
        buf.writeBigInt64LE(BigInt(n));
        return buf;
    },
    fromJSON: BigInt,
    toJSON: Number,
    isValid: (n: unknown) => typeof n === "bigint",
    compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** The avsc type of a schema whose longs are bigints (to read, and to write test files, with 64-bit ids). */
export function bigintLongType(schema: avro.Schema): avro.Type {
    return avro.Type.forSchema(schema, { registry: { long: BIGINT_LONG } });
}

const HEADER = avro.Type.forSchema({
    type: "record",
    name: "org.apache.avro.file.Header",
    fields: [
        { name: "magic", type: { type: "fixed", name: "Magic", size: 4 } },
        { name: "meta", type: { type: "map", values: "bytes" } },
        { name: "sync", type: { type: "fixed", name: "Sync", size: 16 } },
    ],
});
const BLOCK_LONG = avro.Type.forSchema("long");

export interface AvroFile {
    /** The file's key-value metadata (`avro.schema`, `avro.codec` and the writer's own), as text. */
    meta: Record<string, string>;
    /** Every record, with longs as bigint and logical types as their underlying Avro type. */
    records: Record<string, unknown>[];
}

/**
 * Every record of an Avro container file, read at once and synchronously (for small files such as
 * Iceberg manifests). Codecs: null, deflate, snappy; any other fails naming it.
 */
export function readAvroFile(file: string): AvroFile {
    const fail = (why: string): never => {
        throw new Error(`cannot read Avro file ${file}: ${why}`);
    };
    const buf = fs.readFileSync(file);
    if (buf.length < 4 || buf.toString("latin1", 0, 4) !== "Obj\x01") fail("not an Avro container file");
    let pos: number;
    let header: { meta: Record<string, Buffer>; sync: Buffer };
    try {
        const decoded = HEADER.decode(buf, 0);
        if (decoded.offset < 0) fail("truncated header");
        header = decoded.value as typeof header;
        pos = decoded.offset;
    } catch (e) {
        return fail(`bad header (${(e as Error).message})`);
    }
    const meta = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString()]));
    const codec = meta["avro.codec"] ?? "null";
    const decompress = DECOMPRESS[codec] ?? fail(`unsupported codec "${codec}" (supported: ${Object.keys(DECOMPRESS).join(", ")})`);
    const type = bigintLongType(JSON.parse(meta["avro.schema"]) as avro.Schema);
    const records: Record<string, unknown>[] = [];
    while (pos < buf.length) {
        const count = BLOCK_LONG.decode(buf, pos);
        const size = count.offset < 0 ? count : BLOCK_LONG.decode(buf, count.offset);
        if (size.offset < 0 || size.offset + Number(size.value) + 16 > buf.length) fail("truncated block");
        const start = size.offset;
        const end = start + Number(size.value);
        if (!buf.subarray(end, end + 16).equals(header.sync)) fail(`bad sync marker after the block at byte ${pos}`);
        let block: Buffer;
        try {
            block = decompress(buf.subarray(start, end));
        } catch (e) {
            return fail(`cannot decompress a ${codec} block (${(e as Error).message})`);
        }
        let offset = 0;
        for (let i = 0; i < Number(count.value); i++) {
            const record = type.decode(block, offset);
            if (record.offset < 0) fail(`truncated record in the block at byte ${pos}`);
            records.push(record.value as Record<string, unknown>);
            offset = record.offset;
        }
        pos = end + 16;
    }
    return { meta, records };
}
