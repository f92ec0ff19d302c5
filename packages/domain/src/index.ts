/**
 * @newdreamflow/domain — records of every index, validation, objectIDs, visibility, record-size
 * rules, story-body chunking, patterns and index settings. Pure TypeScript, no I/O, no Node APIs.
 */
export * from './limits';
export * from './utf8';
export * from './text';
export * from './ids';
export * from './index-names';
export * from './index-settings';
export * from './visibility';
export * from './record-size';
export * from './records/common';
export * from './records/entry';
export * from './records/story';
export * from './records/group';
export * from './records/profile';
export * from './records/pattern';
export * from './story-body';
export * from './patterns';
export * from './records/assemble';
export * from './records/by-index';
